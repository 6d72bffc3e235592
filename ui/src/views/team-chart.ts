// The bar charts on the Your team page: open cases per worker, and cases
// opened and closed each week. Chart.js is
// loaded only when a team lead opens that page (team.ts imports this file
// with import()), and only the parts a stacked bar chart needs are
// registered, so caseworkers never download the rest.
//
// Chart.js draws on a canvas and sets the canvas's size through the CSSOM,
// which the app's CSP (style-src 'self', no 'unsafe-inline') allows; it
// uses no eval. The canvas is an image to assistive technology: its
// aria-label summarises it, and the table above it has every figure.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'
import type { WeekFigures, WorkerCaseload } from '../ipc'
import { formatCalendarDate } from '../time-format'
import { otherOpen, workerName } from './team-figures'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

export interface ChartSeries {
  label: string
  /** GOV.UK palette shades, each at least 5:1 against white, so every bar passes WCAG's 3:1 for graphics. */
  colour: string
  value(worker: WorkerCaseload): number
}

// A fixed palette rather than the council colour: a council's own colour
// could be too close to one of these and make two series look the same.
// The legend names each series, and white borders keep the segments apart.
export const CHART_SERIES: readonly ChartSeries[] = [
  { label: 'In progress', colour: '#1d70b8', value: (worker) => worker.inProgress },
  { label: 'Awaiting review', colour: '#54319f', value: (worker) => worker.awaitingReview },
  { label: 'Open, not started', colour: '#484949', value: otherOpen },
]

const TEXT_COLOUR = '#0b0c0c'
const GRID_COLOUR = '#b1b4b6'

export interface CaseloadChart {
  destroy(): void
}

/**
 * Draws the chart on `canvas`, sized by its parent. Null when the canvas
 * cannot draw (no 2D context: the unit tests' DOM has none).
 */
export function drawCaseloadChart(canvas: HTMLCanvasElement, workers: readonly WorkerCaseload[]): CaseloadChart | null {
  const context = canvas.getContext('2d')
  if (context === null) return null
  // The page's own font, so the chart reads like the text around it.
  const font = { family: getComputedStyle(canvas).fontFamily || 'sans-serif', size: 16 }
  return new Chart(context, {
    type: 'bar',
    data: {
      labels: workers.map((worker) => workerName(worker.worker)),
      datasets: CHART_SERIES.map((series) => ({
        label: series.label,
        data: workers.map(series.value),
        backgroundColor: series.colour,
        borderColor: '#ffffff',
        borderWidth: 1,
        borderSkipped: false,
      })),
    },
    options: {
      // Bars along the page: worker names stay readable on a narrow window.
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      // Drawn at once: the page refreshes every minute, and motion helps nobody here.
      animation: false,
      color: TEXT_COLOUR,
      font,
      scales: {
        x: {
          stacked: true,
          beginAtZero: true,
          ticks: { precision: 0, color: TEXT_COLOUR, font },
          grid: { color: GRID_COLOUR },
          title: { display: true, text: 'Open cases', color: TEXT_COLOUR, font },
        },
        y: {
          stacked: true,
          ticks: { color: TEXT_COLOUR, font },
          grid: { display: false },
        },
      },
      plugins: {
        legend: {
          position: 'top',
          align: 'start',
          // Clicking a legend item would hide a series, which the keyboard
          // cannot do; the chart shows every series, always.
          onClick: () => undefined,
          labels: { color: TEXT_COLOUR, font, boxWidth: 16, boxHeight: 16 },
        },
        tooltip: { titleFont: font, bodyFont: font },
      },
    },
  })
}

export interface WeeklySeries {
  label: string
  colour: string
  value(week: WeekFigures): number
}

/** Blue and dark grey: told apart by lightness as well as hue, and each at least 5:1 against white. */
export const WEEKLY_SERIES: readonly WeeklySeries[] = [
  { label: 'Opened', colour: '#1d70b8', value: (week) => week.opened },
  { label: 'Closed', colour: '#484949', value: (week) => week.closed },
]

/** "3 Nov" for the axis: the table under the chart gives each week in full. */
export function weekLabel(weekStarting: string): string {
  const full = formatCalendarDate(weekStarting)
  const [day, month] = full.split(' ')
  return month === undefined ? full : `${day} ${month.slice(0, 3)}`
}

/** Draws cases opened and closed each week side by side, oldest week first; null when the canvas cannot draw. */
export function drawWeeklyChart(canvas: HTMLCanvasElement, weeks: readonly WeekFigures[]): CaseloadChart | null {
  const context = canvas.getContext('2d')
  if (context === null) return null
  const font = { family: getComputedStyle(canvas).fontFamily || 'sans-serif', size: 16 }
  return new Chart(context, {
    type: 'bar',
    data: {
      labels: weeks.map((week) => weekLabel(week.weekStarting)),
      datasets: WEEKLY_SERIES.map((series) => ({
        label: series.label,
        data: weeks.map(series.value),
        backgroundColor: series.colour,
        borderColor: '#ffffff',
        borderWidth: 1,
        borderSkipped: false,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      color: TEXT_COLOUR,
      font,
      scales: {
        x: {
          ticks: { color: TEXT_COLOUR, font },
          grid: { display: false },
          title: { display: true, text: 'Week starting', color: TEXT_COLOUR, font },
        },
        y: {
          beginAtZero: true,
          ticks: { precision: 0, color: TEXT_COLOUR, font },
          grid: { color: GRID_COLOUR },
          title: { display: true, text: 'Cases', color: TEXT_COLOUR, font },
        },
      },
      plugins: {
        legend: {
          position: 'top',
          align: 'start',
          onClick: () => undefined,
          labels: { color: TEXT_COLOUR, font, boxWidth: 16, boxHeight: 16 },
        },
        tooltip: { titleFont: font, bodyFont: font },
      },
    },
  })
}
