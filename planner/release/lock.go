package release

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// Holder says who holds an app's deploy lock; it is the lock key's value.
type Holder struct {
	Who   string    `json:"who,omitempty"`
	Host  string    `json:"host,omitempty"`
	PID   int       `json:"pid"`
	What  string    `json:"what"` // "deploy", "rollback to release 3", "destroy"
	Since time.Time `json:"since"`
}

// NewHolder describes this process doing what for who.
func NewHolder(who, what string) Holder {
	host, _ := os.Hostname()
	return Holder{Who: who, Host: host, PID: os.Getpid(), What: what, Since: time.Now().UTC()}
}

func (h Holder) String() string {
	who := h.Who
	if who == "" {
		who = "someone"
	}
	return fmt.Sprintf("%s (%s on %s, pid %d, since %s)", who, h.What, h.Host, h.PID, h.Since.Local().Format("15:04:05"))
}

// LockedError is returned when another process holds the app's deploy lock.
type LockedError struct {
	App    string
	Holder Holder
	// Release is the release the holder is applying, when it recorded one.
	Release *Record
}

func (e *LockedError) Error() string {
	msg := fmt.Sprintf("app %q is locked by %s", e.App, e.Holder)
	if e.Release != nil {
		msg += fmt.Sprintf(", applying release %d (%s)", e.Release.Number, e.Release.State)
	}
	return msg + ": wait for it, or retry with -lock-timeout"
}

// sessionTTL is the deploy lock's Consul session TTL: a holder that dies loses the lock within about twice
// this (Consul's invalidation), plus lockDelay.
const (
	sessionTTL = "10s"
	lockDelay  = time.Second
)

// Lock is a held deploy lock. Lost is closed when the lock is lost (the session expired or was destroyed);
// the holder must stop applying then.
type Lock struct {
	lock *consulapi.Lock
	Lost <-chan struct{}
}

// Lock takes the app's deploy lock, waiting up to wait for another holder to release it (0: fail at once). The
// lock lives in a Consul session that this process renews; it is released by Unlock, and lost if this process
// dies. Held by someone else past wait, it returns a *LockedError naming the holder and its release.
func (s *Store) Lock(ctx context.Context, ns, app string, h Holder, wait time.Duration) (*Lock, error) {
	val, _ := json.Marshal(h)
	if wait <= 0 {
		wait = time.Millisecond
	}
	l, err := s.consul.LockOpts(&consulapi.LockOptions{
		Key:            AppPrefix(ns, app) + "lock",
		Value:          val,
		SessionName:    "skiff " + h.What + " " + ns + "/" + app,
		SessionTTL:     sessionTTL,
		LockDelay:      lockDelay,
		LockWaitTime:   wait,
		LockTryOnce:    true,
		MonitorRetries: 5,
	})
	if err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			close(stop)
		case <-done:
		}
	}()
	lost, err := l.Lock(stop)
	close(done)
	if err != nil {
		return nil, fmt.Errorf("taking the deploy lock of %s in Consul: %w", app, err)
	}
	if lost == nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, s.lockedError(ctx, ns, app)
	}
	return &Lock{lock: l, Lost: lost}, nil
}

// Unlock releases the lock and destroys its session.
func (l *Lock) Unlock() error {
	if err := l.lock.Unlock(); err != nil && err != consulapi.ErrLockNotHeld {
		return err
	}
	return nil
}

// Holder returns who holds the app's deploy lock, or nil when nobody does.
func (s *Store) Holder(ctx context.Context, ns, app string) (*Holder, error) {
	p, _, err := s.consul.KV().Get(AppPrefix(ns, app)+"lock", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading the deploy lock of %s from Consul: %w", app, err)
	}
	if p == nil || p.Session == "" {
		return nil, nil
	}
	h := &Holder{}
	_ = json.Unmarshal(p.Value, h)
	return h, nil
}

func (s *Store) lockedError(ctx context.Context, ns, app string) error {
	e := &LockedError{App: app}
	if h, err := s.Holder(ctx, ns, app); err == nil && h != nil {
		e.Holder = *h
	}
	if head, err := s.Head(ctx, ns, app); err == nil && head.Latest > 0 {
		if r, err := s.Get(ctx, ns, app, head.Latest); err == nil && r != nil && !r.State.Final() {
			e.Release = r
		}
	}
	return e
}
