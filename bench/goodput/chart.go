package goodput

import (
	"errors"
	"fmt"
	"image/color"
	"os"

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
// what the server refused, and for the outage what was sent at all.
func (s Scenario) chartSeries() []series {
	ok := series{"successes", color.RGBA{R: 0x1b, G: 0x9e, B: 0x3e, A: 0xff}, func(b Bucket) int64 { return b.OK }}
	refused := series{s.Rejection + "s", color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, func(b Bucket) int64 { return s.rejected(b) }}
	if s.OutageLen > 0 {
		sent := series{"requests", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, func(b Bucket) int64 { return b.Requests }}
		return []series{sent, ok, refused}
	}
	return []series{ok, refused}
}

// WriteChart draws, one panel per client, what the server counted per
// 100 ms over the run, and writes it as a PNG to path. Every panel has the
// same axes, so the clients compare at a glance.
func WriteChart(path string, s Scenario, results []Result) error {
	if len(results) == 0 {
		return errors.New("goodput: no results to chart")
	}
	ser := s.chartSeries()
	var xMax, yMax float64
	for _, r := range results {
		xMax = max(xMax, float64(len(r.Buckets))*BucketWidth.Seconds())
		for _, b := range r.Buckets {
			for _, sr := range ser {
				yMax = max(yMax, float64(sr.value(b)))
			}
		}
	}
	plots := make([][]*plot.Plot, len(results))
	for i, r := range results {
		p := plot.New()
		p.Title.Text = r.Client
		p.Title.TextStyle.Font.Size = vg.Points(12)
		p.X.Label.Text = "seconds since the run started"
		p.Y.Label.Text = "per 100 ms"
		p.X.Min, p.X.Max = 0, xMax
		p.Y.Min, p.Y.Max = 0, yMax*1.05+1
		if s.OutageLen > 0 {
			if err := addOutageBand(p, s, yMax*1.05+1); err != nil {
				return err
			}
		}
		p.Add(plotter.NewGrid())
		for _, sr := range ser {
			pts := make(plotter.XYs, len(r.Buckets))
			for j, b := range r.Buckets {
				pts[j].X = float64(j) * BucketWidth.Seconds()
				pts[j].Y = float64(sr.value(b))
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("goodput: chart %s: %w", r.Client, err)
			}
			line.Color = sr.color
			line.Width = vg.Points(1.2)
			p.Add(line)
			p.Legend.Add(sr.name, line)
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
