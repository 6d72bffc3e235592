import { describe, expect, it } from 'vitest'
import { EXAMPLE_APP_INFO } from '../test/fixtures'
import { casesView } from './cases'

describe('My cases', () => {
  it('says honestly that there are no cases yet, and how they will arrive', () => {
    const container = document.createElement('div')
    casesView.render(container, { info: EXAMPLE_APP_INFO, navigate: () => {}, setTitle: () => {}, initComponents: () => {} })
    expect(casesView.title).toBe('My cases')
    expect(container.querySelector('h1')?.textContent).toBe('My cases')
    const text = container.textContent!.replace(/\s+/g, ' ')
    expect(text).toContain('There are no cases on this device yet.')
    expect(text).toContain('Cases will appear here after you sign in and sync')
    expect(container.querySelector('a[href="#/sign-in"]')?.textContent).toBe('sign in')
    expect(container.querySelector('table')).toBeNull()
  })
})
