// One Chart.js chart on a canvas. The chart is created once per mount and destroyed on unmount; new data
// or options update it in place (no flicker, no re-created canvas). Chart.js draws on canvas and sets its
// few inline styles through the CSSOM, so it runs under the renderer's CSP (no eval, no inline scripts).
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartData,
  type ChartOptions,
  type ChartType,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

// Theme tokens (theme.css), repeated because a canvas cannot read CSS variables cheaply per draw.
Chart.defaults.color = '#b7bfcb';
Chart.defaults.borderColor = '#262c35';
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif";
Chart.defaults.font.size = 11;

interface Props<T extends 'line' | 'scatter'> {
  type: T;
  data: ChartData<T>;
  options?: ChartOptions<T>;
  /** Accessible name: a canvas has no text of its own. */
  label: string;
  testId?: string;
  height?: number;
}

export function ChartCanvas<T extends 'line' | 'scatter'>({ type, data, options, label, testId, height = 240 }: Props<T>): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<ChartType> | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = new Chart(canvas, { type, data: data as ChartData, options: { responsive: true, maintainAspectRatio: false, animation: false, ...(options as ChartOptions) } });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
    // Created once per type; data and options flow through the update effect below.
  }, [type]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.data = data as ChartData;
    chart.options = { responsive: true, maintainAspectRatio: false, animation: false, ...(options as ChartOptions) };
    chart.update('none');
  }, [data, options]);

  // How many points the chart holds: lets a test tell an empty chart from a drawn one.
  const points = data.datasets.reduce((n, d) => n + d.data.length, 0);
  return (
    <div className="chart-box" style={{ height }}>
      <canvas ref={canvasRef} role="img" aria-label={label} data-testid={testId} data-points={points} />
    </div>
  );
}
