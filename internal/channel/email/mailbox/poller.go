package mailbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/store"
)

// DefaultPollInterval is how often a mailbox without IDLE is read again.
const DefaultPollInterval = 30 * time.Second

// FirstImport is how many of a mailbox's newest messages a new channel
// imports (and a channel whose mailbox's UIDVALIDITY changed re-reads):
// the recent unanswered mail, not years of history.
const FirstImport = 50

// Poller imports mail from the IMAP mailboxes of every e-mail channel: one
// goroutine per channel, started and stopped as channels come and go.
// Every node may run one; two nodes polling the same mailbox store each
// mail once (its Message-ID is the message's external id, unique per
// channel) and only move the channel's UID mark forward.
type Poller struct {
	DB        *store.DB
	Providers *providers.Settings
	Ingester  *Ingester
	Log       *slog.Logger
	// Interval is the poll period without IDLE, and how often the channel
	// list is re-read; DefaultPollInterval when 0.
	Interval time.Duration
}

func (p *Poller) interval() time.Duration {
	if p.Interval > 0 {
		return p.Interval
	}
	return DefaultPollInterval
}

func (p *Poller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Run polls until ctx is done, then waits for the channels' goroutines.
func (p *Poller) Run(ctx context.Context) {
	running := map[int64]context.CancelFunc{}
	var wg sync.WaitGroup
	defer func() {
		for _, stop := range running {
			stop()
		}
		wg.Wait()
	}()
	t := time.NewTicker(p.interval())
	defer t.Stop()
	for {
		list, err := p.DB.R().ChannelsOfKind(ctx, email.Kind)
		if err != nil && ctx.Err() == nil {
			p.log().Warn("email poller: listing channels", "err", err)
		}
		if err == nil {
			seen := map[int64]bool{}
			for _, ch := range list {
				seen[ch.ID] = true
				if running[ch.ID] != nil {
					continue
				}
				cctx, stop := context.WithCancel(ctx)
				running[ch.ID] = stop
				wg.Add(1)
				go func() {
					defer wg.Done()
					p.channel(cctx, ch)
				}()
			}
			for id, stop := range running {
				if !seen[id] {
					stop() // the channel was deleted
					delete(running, id)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// channel polls one channel's mailbox until ctx is done, reconnecting
// after failures.
func (p *Poller) channel(ctx context.Context, ch store.Channel) {
	backoff := p.interval()
	for ctx.Err() == nil {
		cfg, err := Open(p.Providers, ch)
		if err != nil {
			p.log().Warn("email poller: channel settings", "channel", ch.ID, "err", err)
		} else if cfg.IMAP == nil {
			return // a forwarding-only channel
		} else {
			err = p.session(ctx, ch, cfg)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.log().Warn("email poller", "channel", ch.ID, "err", err)
			if serr := p.DB.W().MailboxPolled(context.WithoutCancel(ctx), ch.ID, err.Error()); serr != nil {
				p.log().Warn("email poller: recording state", "channel", ch.ID, "err", serr)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*p.interval())
	}
}

// session is one IMAP connection: import what is new, then wait (IDLE
// when the server has it, else the poll interval) and import again, until
// ctx is done or the connection fails.
func (p *Poller) session(ctx context.Context, ch store.Channel, cfg Config) error {
	wake := make(chan struct{}, 1)
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		},
	}}
	c, err := dialIMAP(ctx, *cfg.IMAP, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	sel, err := c.Select(cfg.IMAP.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("mailbox %q: %w", cfg.IMAP.Mailbox, err)
	}
	idle := c.Caps().Has(imap.CapIdle) || c.Caps().Has(imap.CapIMAP4rev2)
	for {
		if err := p.importNew(ctx, c, ch, cfg, sel.UIDValidity); err != nil {
			return err
		}
		if idle {
			// a NOOP first: news that came during the import is reported
			// now (waking the IDLE at once), as not every server reports
			// what was pending when IDLE starts
			if err := c.Noop().Wait(); err != nil {
				return err
			}
			cmd, err := c.Idle()
			if err != nil {
				return err
			}
			select {
			case <-ctx.Done():
			case <-wake:
			case <-time.After(10 * p.interval()):
			}
			if err := cmd.Close(); err != nil {
				return err
			}
			if err := cmd.Wait(); err != nil {
				return err
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(p.interval()):
			}
			if err := c.Noop().Wait(); err != nil && ctx.Err() == nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// importNew fetches the messages after the channel's UID mark, one at a
// time, moving the mark past each one stored. A message that cannot be
// parsed is skipped (no retry would read it); any other failure stops the
// round, to try that message again.
func (p *Poller) importNew(ctx context.Context, c *imapclient.Client, ch store.Channel, cfg Config, uidValidity uint32) error {
	st, err := p.DB.R().MailboxState(ctx, ch.ID)
	if err != nil {
		return err
	}
	var from imap.UID = 1
	if st.UIDValidity == uidValidity {
		from = imap.UID(st.LastUID + 1)
	} else {
		// new channel or renumbered mailbox: the newest messages only
		found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
		if err != nil {
			return err
		}
		uids := found.AllUIDs()
		if len(uids) > FirstImport {
			from = uids[len(uids)-FirstImport]
		}
	}
	section := &imap.FetchItemBodySection{Peek: true}
	var set imap.UIDSet
	set.AddRange(from, 0) // from:*
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	imported := false
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			return err
		}
		// "n:*" names the last message even when its UID is below n
		if buf.UID < from {
			continue
		}
		raw := buf.FindBodySection(section)
		if _, err := p.Ingester.Ingest(ctx, ch, cfg, raw); err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				return err
			}
			p.log().Warn("email poller: unreadable message skipped", "channel", ch.ID, "uid", buf.UID, "err", err)
		}
		if err := p.DB.W().AdvanceMailbox(ctx, ch.ID, uidValidity, uint32(buf.UID)); err != nil {
			return err
		}
		imported = true
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	if !imported {
		if st.UIDValidity != uidValidity {
			return p.DB.W().AdvanceMailbox(ctx, ch.ID, uidValidity, 0)
		}
		return p.DB.W().MailboxPolled(ctx, ch.ID, "")
	}
	return nil
}
