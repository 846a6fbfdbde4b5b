package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxEventLine bounds one line of an event stream (an event's JSON is one line).
const maxEventLine = 1 << 20

// sseMessage is one Server-Sent Events message: its id, event and data fields.
type sseMessage struct {
	ID, Event, Data string
}

// readSSE reads Server-Sent Events from r and calls fn with each message that has data, until fn returns
// false or an error, r ends (nil error) or a read fails. Comments, retry fields and messages without data are
// skipped; a message not ended by a blank line is dropped, as the SSE specification says.
func readSSE(r io.Reader, fn func(sseMessage) (bool, error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxEventLine)
	var (
		msg     sseMessage
		data    strings.Builder
		hasData bool
	)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if hasData {
				msg.Data = data.String()
				if more, err := fn(msg); err != nil || !more {
					return err
				}
			}
			msg, hasData = sseMessage{}, false
			data.Reset()
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment (keep-alive)
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			msg.ID = value
		case "event":
			msg.Event = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		}
	}
	return sc.Err()
}

// errMalformed marks a message whose data is not an event.
var errMalformed = errors.New("an event's data is not an event's JSON")

// decodeEvent decodes a message whose data is an Event's JSON. The ID comes from the id field when the JSON
// has none, the Kind from the event field.
func decodeEvent(m sseMessage) (*Event, error) {
	e := &Event{}
	if err := json.Unmarshal([]byte(m.Data), e); err != nil {
		return nil, fmt.Errorf("skiff: %w: %w", errMalformed, err)
	}
	if e.ID == 0 && m.ID != "" {
		e.ID, _ = strconv.Atoi(m.ID)
	}
	if e.Kind == "" && m.Event != "message" {
		e.Kind = m.Event
	}
	return e, nil
}

// decodeLogLine decodes a log message's data: a quoted string (the server writes it with Go's %q, which is
// JSON for most text but uses \x escapes for bytes JSON cannot show).
func decodeLogLine(data string) (string, error) {
	if s, err := strconv.Unquote(data); err == nil {
		return s, nil
	}
	var s string
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		return "", fmt.Errorf("a log line is not a quoted string: %q", data)
	}
	return s, nil
}
