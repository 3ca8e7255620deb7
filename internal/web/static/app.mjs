// Progressive enhancement only: every page works without this script.
import { initAll } from './vendor/govuk/govuk-frontend.min.js'

initAll()

// Charts: a table marked data-chart="bar" or "line" gets a chart drawn
// from its own numbers (each numeric cell's data-value). As GOV.UK's
// guidance on charts asks, the chart comes in a figure whose caption (the
// table's caption) is its heading, above it; its axes are titled (across:
// the first column's heading; up: the table's data-chart-y, or the one
// series' heading); and the table follows with the same numbers, its
// caption kept for screen readers only. Without JavaScript the table is
// the chart. Suppressed cells have no data-value and are left as gaps.
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
  const caption = table.querySelector('caption')
  const title = caption ? caption.textContent.trim() : ''
  const figure = document.createElement('figure')
  figure.className = 'app-chart'
  if (title) {
    const heading = document.createElement('figcaption')
    heading.className = 'govuk-heading-m app-chart__title'
    heading.textContent = title
    figure.appendChild(heading)
    caption.classList.add('govuk-visually-hidden')
  }
  const box = document.createElement('div')
  box.className = 'app-chart__canvas'
  const canvas = document.createElement('canvas')
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', (title || 'Chart') + ': the table below has the numbers')
  box.appendChild(canvas)
  figure.appendChild(box)
  table.parentNode.insertBefore(figure, table)
  const across = heads.length > 0 ? heads[0].textContent.trim() : ''
  const up = table.getAttribute('data-chart-y') || (series.length === 1 ? series[0].label : '')
  // eslint-disable-next-line no-undef
  new Chart(canvas, {
    type: table.getAttribute('data-chart') === 'line' ? 'line' : 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: datasets.length > 1 } },
      scales: {
        x: { title: { display: across !== '', text: across } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: up !== '', text: up } }
      }
    }
  })
}

// Outcome lines on the disruption form: once a line's kind is chosen, only
// the inputs that kind needs are shown (a count; a seizure's type, count,
// value and agency; drugs' class, grams and value; a sentence's years and
// months). Inputs holding a value or an error stay shown. Without
// JavaScript every input of an open line is shown, and the server ignores
// those the kind does not use.
const outcomes = document.getElementById('outcome-lines')
if (outcomes) {
  const measure = Object.fromEntries(outcomes.dataset.measures.split(' ').filter(Boolean).map(p => p.split(':')))
  const update = (fieldset) => {
    const kind = fieldset.querySelector('select[name$="-type"]').value
    const m = measure[kind]
    fieldset.querySelectorAll('[data-for]').forEach(el => {
      const keep = [...el.querySelectorAll('input, select')].some(i => i.value !== '' && !(i.tagName === 'SELECT' && i.selectedIndex === 0)) ||
        el.querySelector('.govuk-form-group--error') !== null
      el.hidden = !keep && (!m || !el.dataset.for.split(' ').includes(m))
    })
  }
  outcomes.querySelectorAll('fieldset[data-outcome]').forEach(fs => {
    update(fs)
    fs.querySelector('select[name$="-type"]').addEventListener('change', () => update(fs))
  })
}
