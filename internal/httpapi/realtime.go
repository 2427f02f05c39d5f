package httpapi

import "net/http"

// websocket upgrades to the realtime stream of events the user may see.
func (s *Server) websocket(w http.ResponseWriter, r *http.Request) error {
	if s.Hub == nil {
		return &apiError{http.StatusServiceUnavailable, "unavailable", "realtime is not enabled"}
	}
	_ = s.Hub.Serve(w, r, viewer(r))
	return nil
}
