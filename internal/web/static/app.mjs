// Progressive enhancement only: every page works without this script.
import { initAll } from './vendor/govuk/govuk-frontend.min.js'

initAll()

// Charts: a table marked data-chart="bar" or "line" gets a chart drawn
// from its own numbers (each numeric cell's data-value), above it. The
// table stays: it is the chart's accessible text and works without
// JavaScript. Suppressed cells have no data-value and are left as gaps.
const tables = document.querySelectorAll('table[data-chart]')
if (tables.length > 0) {
  const script = document.createElement('script')
  script.src = new URL('./vendor/chartjs/chart.umd.min.js', import.meta.url).href
  script.onload = () => tables.forEach(drawChart)
  document.head.appendChild(script)
}

const colours = ['#1d70b8', '#f47738', '#00703c', '#4c2c92', '#d4351c', '#505a5f']

function drawChart (table) {
  const heads = [...table.querySelectorAll('thead th')]
  const series = heads.slice(1).map((th, i) => ({ index: i + 1, label: th.textContent.trim(), skip: th.hasAttribute('data-chart-skip') }))
    .filter(s => !s.skip)
  const rows = [...table.querySelectorAll('tbody tr')]
  const labels = rows.map(tr => tr.cells[0].textContent.trim())
  const datasets = series.map((s, i) => ({
    label: s.label,
    data: rows.map(tr => {
      const cell = tr.cells[s.index]
      return cell && cell.hasAttribute('data-value') ? Number(cell.getAttribute('data-value')) : null
    }),
    backgroundColor: colours[i % colours.length],
    borderColor: colours[i % colours.length],
    spanGaps: false
  }))
  const wrap = document.createElement('div')
  wrap.className = 'app-chart'
  const canvas = document.createElement('canvas')
  const caption = table.querySelector('caption')
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', (caption ? caption.textContent.trim() : 'Chart') + ': the table below has the numbers')
  wrap.appendChild(canvas)
  table.parentNode.insertBefore(wrap, table)
  // eslint-disable-next-line no-undef
  new Chart(canvas, {
    type: table.getAttribute('data-chart') === 'line' ? 'line' : 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: datasets.length > 1 } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  })
}
