import { describe, expect, it } from 'vitest'
import { EXAMPLE_APP_INFO } from '../test/fixtures'
import { aboutView } from './about'
import type { ViewContext } from './view'

function render(info = EXAMPLE_APP_INFO): Map<string, string> {
  const container = document.createElement('div')
  const ctx: ViewContext = { info, navigate: () => {}, setTitle: () => {}, initComponents: () => {} }
  aboutView.render(container, ctx)
  document.body.append(container)
  expect(container.querySelector('h1')?.textContent).toBe('About this device')
  const rows = new Map<string, string>()
  container.querySelectorAll('.govuk-summary-list__row').forEach((row) => {
    rows.set(row.querySelector('dt')!.textContent!.trim(), row.querySelector('dd')!.textContent!.trim())
  })
  return rows
}

describe('About this device', () => {
  it('lists the version, data folder, server and council that Rust reported', () => {
    expect([...render()]).toEqual([
      ['App version', '0.1.0'],
      ['Data folder', '/home/x/.local/share/uk.org.doorstep.desktop'],
      ['Server', 'http://127.0.0.1:8787'],
      ['Council', 'Example Borough Council'],
    ])
  })

  it('says the server is not set when there is no server address yet', () => {
    expect(render({ ...EXAMPLE_APP_INFO, serverUrl: null }).get('Server')).toBe('Not set')
  })

  it('shows a data folder path with markup characters as text', () => {
    expect(render({ ...EXAMPLE_APP_INFO, dataDir: '/home/<x>/data' }).get('Data folder')).toBe('/home/<x>/data')
  })

  it('has a heading that can take focus after navigation', () => {
    const container = document.createElement('div')
    aboutView.render(container, { info: EXAMPLE_APP_INFO, navigate: () => {}, setTitle: () => {}, initComponents: () => {} })
    expect(container.querySelector('h1')?.getAttribute('tabindex')).toBe('-1')
  })
})
