package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// requestIDKey is the gin context key of the request ID.
const requestIDKey = "skiff.request-id"

// requestID gives every request an ID (the client's Request-Id when it sent a sane one) and echoes it.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("Request-Id")
	if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \t\r\n") {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = "req_" + hex.EncodeToString(b)
	}
	c.Set(requestIDKey, id)
	c.Header("Request-Id", id)
	c.Next()
}

// writeError writes e as problem+json, stamped with the request ID.
func writeError(c *gin.Context, e *Error) {
	e.RequestID = c.GetString(requestIDKey)
	b, _ := json.Marshal(e)
	c.Data(e.Status, "application/problem+json", b)
	c.Abort()
}

// recovery turns a panic into a 500 with the JSON error, and logs it.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logf("panic serving %s %s (request %s): %v", c.Request.Method, c.Request.URL.Path, c.GetString(requestIDKey), r)
			writeError(c, apiError(http.StatusInternalServerError, CodeInternal, "internal error; see the server log for request "+c.GetString(requestIDKey)))
		}
	}()
	c.Next()
}

// accessLog logs one line per request and feeds the latency metric; never a body, a query or a header.
func (s *Server) accessLog(c *gin.Context) {
	begin := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.observeRequest(c.Request.Method, route, c.Writer.Status(), time.Since(begin))
	s.cfg.Logf("%s %s %d %s %s", c.Request.Method, c.Request.URL.Path, c.Writer.Status(),
		time.Since(begin).Round(time.Microsecond), c.GetString(requestIDKey))
}

// limitBody refuses bodies larger than the configured limit with 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		writeError(c, apiError(http.StatusRequestEntityTooLarge, CodeTooLarge,
			fmt.Sprintf("the body is %d bytes; the limit is %d", c.Request.ContentLength, s.cfg.MaxBodyBytes)))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	c.Next()
}

// public lists the paths that need no token.
var public = map[string]bool{"/v1/health": true, "/v1/openapi.json": true, "/v1/openapi.yaml": true,
	"/v1/openapi-3.0.json": true, "/v1/openapi-3.0.yaml": true}

// authenticate requires Authorization: Bearer <token> on every non-public path.
func (s *Server) authenticate(c *gin.Context) {
	if public[c.Request.URL.Path] {
		c.Next()
		return
	}
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="skiff"`)
		writeError(c, apiError(http.StatusUnauthorized, CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>"))
		return
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.Token)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="skiff", error="invalid_token"`)
		writeError(c, apiError(http.StatusUnauthorized, CodeUnauthorized, "the token is not valid"))
		return
	}
	c.Next()
}
