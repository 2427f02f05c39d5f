package mailbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// dialTimeout bounds connecting to a mail server; ioTimeout each command.
const (
	dialTimeout = 20 * time.Second
	ioTimeout   = 60 * time.Second
)

// TLSConfig, when set, is the TLS configuration of every connection to a
// mail server (tests trust their own certificate with it); the host is
// verified against the system roots otherwise.
var TLSConfig *tls.Config

func tlsFor(host string) *tls.Config {
	if TLSConfig != nil {
		c := TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		return c
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// dialSMTP connects and logs in to an SMTP server.
func dialSMTP(ctx context.Context, s Server) (*smtp.Client, error) {
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, err
	}
	var c *smtp.Client
	switch s.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tlsFor(s.Host)))
	case TLSStart:
		if c, err = smtp.NewClientStartTLS(conn, tlsFor(s.Host)); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = ioTimeout, 2*ioTimeout
	if err := c.Hello("localhost"); err != nil {
		c.Close()
		return nil, err
	}
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Send submits one message over SMTP.
func Send(ctx context.Context, s Server, from string, to []string, msg []byte) error {
	c, err := dialSMTP(ctx, s)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

// Permanent reports whether an SMTP failure will fail again: a 5xx reply.
// Network errors and 4xx replies are worth another try.
func Permanent(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

// dialIMAP connects and logs in to an IMAP server.
func dialIMAP(ctx context.Context, s Server, opts *imapclient.Options) (*imapclient.Client, error) {
	if opts == nil {
		opts = &imapclient.Options{}
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, err
	}
	var c *imapclient.Client
	switch s.TLS {
	case TLSImplicit:
		c = imapclient.New(tls.Client(conn, tlsFor(s.Host)), opts)
	case TLSStart:
		opts.TLSConfig = tlsFor(s.Host)
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		c = imapclient.New(conn, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("IMAP login: %w", err)
	}
	return c, nil
}

// Test checks a channel's settings the way "test connection" does: an
// IMAP login and SELECT of the mailbox (when the channel polls one), and an
// SMTP EHLO with login.
func Test(ctx context.Context, cfg Config) error {
	if cfg.IMAP != nil {
		c, err := dialIMAP(ctx, *cfg.IMAP, nil)
		if err != nil {
			return fmt.Errorf("IMAP %s: %w", cfg.IMAP.Addr(), err)
		}
		_, err = c.Select(cfg.IMAP.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		_ = c.Logout().Wait()
		c.Close()
		if err != nil {
			return fmt.Errorf("IMAP %s: mailbox %q: %w", cfg.IMAP.Addr(), cfg.IMAP.Mailbox, err)
		}
	}
	c, err := dialSMTP(ctx, cfg.SMTP)
	if err != nil {
		return fmt.Errorf("SMTP %s: %w", cfg.SMTP.Addr(), err)
	}
	_ = c.Quit()
	c.Close()
	return nil
}
