package compile

import "encoding/json"

// CompactJSON returns v as a generic JSON value without nulls, empty objects and empty lists — the Nomad API's
// JSON form of a job with only the fields that are set, for printing and golden files.
func CompactJSON(v interface{}) interface{} {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var generic interface{}
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil
	}
	return compact(generic)
}

func compact(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			c := compact(e)
			if c == nil {
				delete(t, k)
				continue
			}
			t[k] = c
		}
		if len(t) == 0 {
			return nil
		}
		return t
	case []interface{}:
		out := t[:0]
		for _, e := range t {
			if c := compact(e); c != nil {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	default:
		return v
	}
}
