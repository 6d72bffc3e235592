// Shared set-up for the unit tests, which run in happy-dom.
import { clearMocks } from '@tauri-apps/api/mocks'
import { afterEach, beforeEach } from 'vitest'
import { forgetRole } from '../role'

beforeEach(() => {
  // main.ts adds this class in the real app; GOV.UK Frontend refuses to start without it.
  document.body.classList.add('govuk-frontend-supported')
  // ServiceNavigation reads the tablet breakpoint from a custom property the
  // compiled CSS would provide.
  document.documentElement.style.setProperty('--govuk-breakpoint-tablet', '40.0625rem')
})

afterEach(() => {
  clearMocks()
  forgetRole()
  document.body.replaceChildren()
  document.documentElement.removeAttribute('style')
  document.head.querySelectorAll('meta[name="theme-color"]').forEach((m) => m.remove())
  document.title = ''
  window.history.replaceState(null, '', '/')
})
