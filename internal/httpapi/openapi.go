package httpapi

import (
	_ "embed"
	"net/http"
)

// OpenAPIDocument is the API's OpenAPI 3 description, kept true by
// openapi_test.go, which checks every route and validates responses.
//
//go:embed openapi/openapi.json
var OpenAPIDocument []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(OpenAPIDocument)
}
