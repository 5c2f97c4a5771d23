package goodput

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// series is one line of a chart: a count per 100 ms.
type series struct {
	name  string
	color color.Color
	value func(Bucket) int64
}

// chartSeries are what a scenario's chart shows: what succeeded next to
// what the server refused.
func (s Scenario) chartSeries() []series {
	return []series{
		{"successes", color.RGBA{R: 0x1b, G: 0x9e, B: 0x3e, A: 0xff}, func(b Bucket) int64 { return b.OK }},
		{s.Rejection + "s", color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, func(b Bucket) int64 { return s.rejected(b) }},
	}
}

// chartTop is where the y axis ends: above every success count, but below
// a few bursts of refusals that would flatten everything else (each panel
// names its peak when it is clipped). The headroom keeps the legend off
// the lines.
func chartTop(results []Result, ser []series) float64 {
	var okMax float64
	var all []float64
	for _, r := range results {
		for _, b := range r.Buckets {
			okMax = max(okMax, float64(ser[0].value(b)))
			for _, sr := range ser {
				all = append(all, float64(sr.value(b)))
			}
		}
	}
	slices.Sort(all)
	var p99 float64
	if len(all) > 0 {
		p99 = all[(len(all)-1)*99/100]
	}
	return max(okMax, p99, 4) * 1.4
}

// WriteChart draws, one panel per client, what the server counted per
// 100 ms over the run, and writes it as a PNG to path. Every panel has the
// same axes, so the clients compare at a glance.
func WriteChart(path string, s Scenario, results []Result) error {
	if len(results) == 0 {
		return errors.New("goodput: no results to chart")
	}
	ser := s.chartSeries()
	var xMax float64
	for _, r := range results {
		xMax = max(xMax, float64(len(r.Buckets))*BucketWidth.Seconds())
	}
	top := chartTop(results, ser)
	plots := make([][]*plot.Plot, len(results))
	for i, r := range results {
		p := plot.New()
		p.Title.Text = r.Client
		p.Title.TextStyle.Font.Size = vg.Points(12)
		p.X.Label.Text = "seconds since the run started"
		p.Y.Label.Text = "per 100 ms"
		p.X.Min, p.X.Max = 0, xMax
		p.Y.Min, p.Y.Max = 0, top
		p.X.Tick.Marker = wholeTicks{}
		p.Y.Tick.Marker = wholeTicks{}
		if s.OutageLen > 0 {
			if err := addOutageBand(p, s, top); err != nil {
				return err
			}
		}
		p.Add(plotter.NewGrid())
		var peak int64
		lines := make([]*plotter.Line, len(ser))
		for k, sr := range ser {
			pts := make(plotter.XYs, len(r.Buckets))
			for j, b := range r.Buckets {
				v := sr.value(b)
				peak = max(peak, v)
				pts[j].X = float64(j) * BucketWidth.Seconds()
				pts[j].Y = min(float64(v), top)
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("goodput: chart %s: %w", r.Client, err)
			}
			line.Color = sr.color
			line.Width = vg.Points(1.2)
			lines[k] = line
			p.Legend.Add(sr.name, line)
		}
		// Successes drawn last, on top of the refusals.
		for k := len(lines) - 1; k >= 0; k-- {
			p.Add(lines[k])
		}
		if float64(peak) > top {
			p.Title.Text += fmt.Sprintf(" (peak of %d in 100 ms clipped)", peak)
		}
		p.Legend.Top = true
		plots[i] = []*plot.Plot{p}
	}

	width, height := 9*vg.Inch, vg.Length(len(results))*2.6*vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(results), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadY: vg.Points(10), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// wholeTicks are gonum's default ticks labelled without trailing zeros
// (20, not 20.00).
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}

// addOutageBand shades the outage.
func addOutageBand(p *plot.Plot, s Scenario, top float64) error {
	from, to := s.OutageFrom.Seconds(), (s.OutageFrom + s.OutageLen).Seconds()
	poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: 0}, {X: to, Y: 0}, {X: to, Y: top}, {X: from, Y: top}})
	if err != nil {
		return err
	}
	poly.Color = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Legend.Add("outage", poly)
	return nil
}
