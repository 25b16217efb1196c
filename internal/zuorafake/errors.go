package zuorafake

import (
	"encoding/json"
	"net/http"
)

// Error categories (the last two digits of a reason code).
const (
	catPermission    = 10
	catBadValue      = 20
	catUnknownField  = 21
	catMissingField  = 22
	catMissingParam  = 23
	catRule          = 30
	catNotFound      = 40
	catMethod        = 45
	catConflict      = 50
	catInternal      = 60
	catRateLimited   = 70
	catMalformedJSON = 90
)

// categoryStatus is the contract's category -> HTTP status table, used
// when the request opted in to real statuses.
var categoryStatus = map[int]int{
	10: http.StatusForbidden,
	11: http.StatusUnauthorized,
	20: http.StatusBadRequest,
	21: http.StatusBadRequest,
	22: http.StatusBadRequest,
	23: http.StatusBadRequest,
	30: http.StatusBadRequest,
	40: http.StatusNotFound,
	45: http.StatusMethodNotAllowed,
	50: http.StatusConflict,
	60: http.StatusInternalServerError,
	61: http.StatusInternalServerError,
	70: http.StatusTooManyRequests,
	90: http.StatusBadRequest,
	99: http.StatusInternalServerError,
}

// reasonCode turns a category into an 8-digit code such as 50000040.
func reasonCode(category int) int { return 50000000 + category }

type reason struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type errorBody struct {
	Success   bool     `json:"success"`
	ProcessID string   `json:"processId"`
	RequestID string   `json:"requestId"`
	Reasons   []reason `json:"reasons"`
}

// errorAnswer is the classic v1 error body; its status follows the
// request's error mode.
func (c *call) errorAnswer(category int, message string) answer {
	status := http.StatusOK
	if c.realStatus {
		status = categoryStatus[category]
	}
	return c.errorAnswerWith(status, reasonCode(category), message)
}

// errorAnswerWith writes the classic error body with a fixed status and
// code, for answers that come from in front of the API (limiters,
// idempotency layer) and so never follow the error mode.
func (c *call) errorAnswerWith(status, code int, message string) answer {
	return jsonAnswer(status, errorBody{
		Success:   false,
		ProcessID: newProcessID(),
		RequestID: c.requestID,
		Reasons:   []reason{{Code: code, Message: message}},
	})
}

func jsonAnswer(status int, v any) answer {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are marshalled; keep the promise not to panic.
		b = []byte(`{"success":false}`)
		status = http.StatusInternalServerError
	}
	return answer{status: status, contentType: "application/json; charset=utf-8", body: b}
}

type successBody struct {
	Success bool `json:"success"`
}

func okAnswer() answer { return jsonAnswer(http.StatusOK, successBody{Success: true}) }
