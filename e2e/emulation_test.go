package e2e

import (
	"context"
	"fmt"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// emulationScriptsOff turns JavaScript off in the current tab.
func emulationScriptsOff(ctx context.Context) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	if err != nil {
		return fmt.Errorf("%w: %w", errNoScriptsOff, err)
	}
	return nil
}
