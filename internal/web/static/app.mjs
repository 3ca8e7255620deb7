// Progressive enhancement only: every page works without this script.
import { initAll } from './vendor/govuk/govuk-frontend.min.js'

initAll()
