package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestDisruptionFormInBrowser opens the disruption form on a 1280-pixel
// and a 375-pixel window, with JavaScript on and off: one outcome line is
// open; "Add another outcome" opens a second with what was typed kept;
// with JavaScript, choosing a count hides the seizure, drug and sentence
// inputs of that line, and without it they all stay; nothing is wider than
// the window, and axe-core finds no serious or critical violation.
func TestDisruptionFormInBrowser(t *testing.T) {
	h := setup(t)
	for _, width := range []int64{1280, 375} {
		for _, js := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d/js=%t", width, js), func(t *testing.T) {
				tb := h.tab(t)
				err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulateWidth(ctx, width) }))
				if err != nil {
					t.Fatal(err)
				}
				if !js {
					if err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulationScriptsOff(ctx) })); err != nil {
						t.Fatal(err)
					}
				}
				h.signIn(t, tb, "analyst@nyp.example", demo.Password)
				err = chromedp.Do(tb.ctx,
					chromedp.Navigate(h.base+"/disruptions/new"),
					chromedp.WaitVisible(chromedp.CSS("#add-outcome")),
					chromedp.SetValue(chromedp.CSS(`select[name="outcome-1-type"]`), "arrests"),
					chromedp.SendKeys(chromedp.CSS(`input[name="outcome-1-quantity"]`), "3"),
				)
				if err != nil {
					t.Fatal(err)
				}
				if js {
					// SetValue does not fire change; the script listens for it.
					if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](
						`document.querySelector('select[name="outcome-1-type"]').dispatchEvent(new Event('change'))`)); err != nil {
						t.Fatal(err)
					}
				}
				hidden, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](
					`[...document.querySelectorAll('fieldset[data-outcome="outcome-1"] [data-for]')].filter(e => e.offsetParent === null).map(e => e.dataset.for)`))
				if err != nil {
					t.Fatal(err)
				}
				if js && (len(hidden) == 0 || strings.Contains(strings.Join(hidden, ","), "count")) {
					t.Errorf("with JavaScript, a count line hides %v; want the seizure, drug and sentence inputs hidden and the count shown", hidden)
				}
				if !js && len(hidden) > 0 {
					t.Errorf("without JavaScript, inputs %v are hidden; want every input shown", hidden)
				}
				err = chromedp.Do(tb.ctx,
					chromedp.Click(chromedp.CSS("#add-outcome")),
					chromedp.WaitVisible(chromedp.CSS(`select[name="outcome-2-type"]`)),
				)
				if err != nil {
					t.Fatalf("add another outcome: %v", err)
				}
				kept, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.querySelector('input[name="outcome-1-quantity"]').value`))
				if err != nil || kept != "3" {
					t.Errorf("after adding a line, the first line's count: got %q, %v; want 3", kept, err)
				}
				over, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)`))
				if err != nil || len(over) > 0 {
					t.Errorf("at %d pixels, wider than the window: %v, %v", width, over, err)
				}
				if !js {
					if _, err := chromedp.Run(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
						_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
						return err
					})); err != nil {
						t.Fatal(err)
					}
				}
				tb.checkAccessible(t, fmt.Sprintf("/disruptions/new at %d, js %t", width, js))
				screenshot(t, tb, fmt.Sprintf("disruption-form-%d-js-%t", width, js))
			})
		}
	}
}
