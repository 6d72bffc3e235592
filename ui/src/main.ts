import './styles/main.scss'
import { startApp } from './app'

// GOV.UK Frontend's JavaScript only runs when the body has this class. Its
// page template adds it with an inline script, which Doorstep's CSP forbids;
// any browser that runs this ES module supports GOV.UK Frontend.
document.body.classList.add('govuk-frontend-supported')

const root = document.getElementById('app')
if (root) void startApp(root)
