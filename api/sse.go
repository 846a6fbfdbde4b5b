package api

import (
	"bufio"
	"io"
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
