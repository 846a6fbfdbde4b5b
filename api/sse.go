package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxEventLine bounds one line of an event stream (an event's JSON is one line).
const maxEventLine = 1 << 20

// readSSE reads Server-Sent Events from r and calls fn with each event whose data is an Event's JSON, until
// fn returns false, r ends (nil error) or a read fails. The event's ID comes from the id field when the JSON
// has none, its Kind from the event field when the JSON has none. Comments, retry fields and messages
// without data are skipped.
func readSSE(r io.Reader, fn func(*Event) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxEventLine)
	var (
		id, kind string
		data     strings.Builder
		hasData  bool
	)
	dispatch := func() (bool, error) {
		defer func() { id, kind, hasData = "", "", false; data.Reset() }()
		if !hasData {
			return true, nil
		}
		e := &Event{}
		if err := json.Unmarshal([]byte(data.String()), e); err != nil {
			return false, fmt.Errorf("an event's data is not JSON: %w", err)
		}
		if e.ID == 0 && id != "" {
			e.ID, _ = strconv.Atoi(id)
		}
		if e.Kind == "" && kind != "message" {
			e.Kind = kind
		}
		return fn(e), nil
	}
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			more, err := dispatch()
			if err != nil || !more {
				return err
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment (keep-alive)
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id = value
		case "event":
			kind = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		}
	}
	return sc.Err() // a message not ended by a blank line is dropped, as the SSE specification says
}
