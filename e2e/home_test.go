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

// emulateWidth makes the tab's window width pixels wide (a phone below
// 600), 900 high.
func emulateWidth(ctx context.Context, width int64) error {
	_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 600})
	if err != nil {
		return fmt.Errorf("set the window to %d pixels: %w", width, err)
	}
	return nil
}

// TestHomePagesInBrowser opens each role's home page on a 1280-pixel and a
// 375-pixel window, with JavaScript on and off: the role's own section is
// there, the page is marked top and bottom, nothing is wider than the
// window, and axe-core finds no serious or critical violation.
func TestHomePagesInBrowser(t *testing.T) {
	h := setup(t)
	roles := []struct{ email, section string }{
		{"board@nyp.example", "#home-board"},
		{"panel@nyp.example", "#home-panel"},
		{"lro@nyp.example", "#home-lro"},
		{"analyst@nyp.example", "#home-analyst"},
		{"officer@nyc.example", "#home-partner"},
		{"dpo@nyp.example", "#home-dpo"},
		{"admin@nyp.example", "#home-admin"},
	}
	for _, r := range roles {
		for _, width := range []int64{1280, 375} {
			for _, js := range []bool{true, false} {
				name := fmt.Sprintf("%s/%d/js=%t", strings.Split(r.email, "@")[0], width, js)
				t.Run(name, func(t *testing.T) {
					tb := h.tab(t)
					checkHome(t, h, tb, r.email, r.section, width, js)
				})
			}
		}
	}
}

func checkHome(t *testing.T, h *harness, tb *tab, email, section string, width int64, js bool) {
	t.Helper()
	err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulateWidth(ctx, width) }))
	if err != nil {
		t.Fatal(err)
	}
	if !js {
		if err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulationScriptsOff(ctx) })); err != nil {
			t.Fatal(err)
		}
	}
	h.signIn(t, tb, email, demo.Password)
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(chromedp.CSS(section))); err != nil {
		t.Fatalf("open the home page: %v", err)
	}
	if got := tb.text(t, "h1"); got != "Your work" {
		t.Errorf("h1: got %q, want %q", got, "Your work")
	}
	marks, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.app-marking')].filter(e => e.offsetHeight > 0).map(e => e.textContent.trim())`))
	if err != nil || len(marks) != 2 || marks[0] != "OFFICIAL-SENSITIVE" || marks[1] != "OFFICIAL-SENSITIVE" {
		t.Errorf("markings: got %v, %v; want OFFICIAL-SENSITIVE top and bottom", marks, err)
	}
	classes, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.className`))
	if err != nil || strings.Contains(classes, "js-enabled") != js {
		t.Errorf("body classes: got %q, %v; want js-enabled %t", classes, err, js)
	}
	// Wider content would make a phone scroll sideways.
	over, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)`))
	if err != nil || len(over) > 0 {
		t.Errorf("at %d pixels, wider than the window: %v, %v", width, over, err)
	}
	if !js {
		// axe-core needs timers, which do not run with scripts off: turn
		// them back on without reloading, so it checks the page as it was
		// built without JavaScript.
		_, err := chromedp.Run(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	tb.checkAccessible(t, "/ as "+email)
	screenshot(t, tb, fmt.Sprintf("home-%s-%d-js-%t", strings.Split(email, "@")[0], width, js))
}
