package cli

import (
	"context"

	"github.com/accessapi/apierr"
)

// Call sends one request and decodes a 2xx JSON answer into v (nil: the
// answer is discarded). Its error is the client's, unwrapped, so that the
// programs' switches see exactly what apierr returns.
func Call(ctx context.Context, c *apierr.Client, method, path string, body, v any) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	_, err = c.Do(req, v)
	return err
}
