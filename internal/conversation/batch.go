package conversation

import (
	"context"
	"errors"
	"sync"

	"github.com/atende/atende/internal/store"
)

// maxBatch bounds how many inbound messages share one transaction.
const maxBatch = 128

// batcher groups inbound messages that arrive together into one SQLite
// transaction (group commit). SQLite has a single writer, and a commit costs
// far more than the rows of one message: every dirty page is written to the
// WAL and FTS5 flushes a new index segment per transaction. Each message
// runs in its own savepoint, so one bad message fails alone, and every
// caller is answered only after the shared commit.
type batcher struct {
	once sync.Once
	reqs chan *receiveReq
}

type receiveReq struct {
	ctx  context.Context
	ch   store.Channel
	w    store.Workspace
	in   Inbound
	done chan receiveDone
}

type receiveDone struct {
	res InboundResult
	chg change
	err error
}

func (b *batcher) receive(ctx context.Context, s *Service, ch store.Channel, w store.Workspace, in Inbound) (InboundResult, change, error) {
	b.once.Do(func() {
		b.reqs = make(chan *receiveReq, 4*maxBatch)
		go b.loop(s)
	})
	req := &receiveReq{ctx: ctx, ch: ch, w: w, in: in, done: make(chan receiveDone, 1)}
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		return InboundResult{}, change{}, ctx.Err()
	}
	// Once queued the message may be committed even if the caller gives up;
	// a retry with the same external id is then answered as a duplicate.
	d := <-req.done
	return d.res, d.chg, d.err
}

func (b *batcher) loop(s *Service) {
	for first := range b.reqs {
		batch := []*receiveReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Service) commitBatch(batch []*receiveReq) {
	results := make([]receiveDone, len(batch))
	// Optimistic pass: no savepoints (two statements per message), since a
	// message rarely fails once validated. Any failure rolls the batch back
	// and the careful pass isolates it.
	err := s.db.Tx(context.Background(), func(q store.Q) error {
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			var err error
			if results[i].res, results[i].chg, err = s.receiveIn(r.ctx, q, r.ch, r.w, r.in, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		results, err = s.commitCarefully(batch)
	}
	for i, r := range batch {
		if err != nil && results[i].err == nil {
			results[i] = receiveDone{err: err}
		}
		r.done <- results[i]
	}
}

// commitCarefully runs each message of the batch in its own savepoint, so
// a failing message is undone alone and reported to its caller.
func (s *Service) commitCarefully(batch []*receiveReq) ([]receiveDone, error) {
	results := make([]receiveDone, len(batch))
	err := s.db.Tx(context.Background(), func(q store.Q) error {
		for i, r := range batch {
			if r.ctx.Err() != nil {
				results[i].err = r.ctx.Err()
				continue
			}
			err := q.Savepoint(r.ctx, func() error {
				var err error
				results[i].res, results[i].chg, err = s.receiveIn(r.ctx, q, r.ch, r.w, r.in, true)
				return err
			})
			if errors.Is(err, store.ErrSavepoint) {
				return err // the transaction itself is broken: fail the batch
			}
			results[i].err = err
		}
		return nil
	})
	return results, err
}
