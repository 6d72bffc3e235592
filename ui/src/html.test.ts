import { describe, expect, it } from 'vitest'
import { SafeHtml, escapeHtml, html, renderInto } from './html'

describe('escaping text before it reaches the page', () => {
  it('escapes every character that could start markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
  })

  it('turns numbers and other values into text', () => {
    expect(escapeHtml(42)).toBe('42')
  })

  it('escapes interpolated values but not the template itself', () => {
    const name = '<img src=x onerror=alert(1)>'
    expect(html`<p class="x">${name}</p>`.value).toBe('<p class="x">&lt;img src=x onerror=alert(1)&gt;</p>')
  })

  it('escapes values placed inside attributes', () => {
    const value = '" autofocus onfocus="alert(1)'
    const el = document.createElement('div')
    renderInto(el, html`<input value="${value}">`)
    const input = el.querySelector('input')!
    expect(input.value).toBe(value)
    expect(input.hasAttribute('onfocus')).toBe(false)
  })

  it('nests markup built with html without escaping it twice', () => {
    const inner = html`<strong>${'A & B'}</strong>`
    expect(html`<p>${inner}</p>`.value).toBe('<p><strong>A &amp; B</strong></p>')
  })

  it('joins lists and leaves out false, null and undefined', () => {
    const items = ['<one>', html`<b>two</b>`]
    expect(html`${items}|${false}|${null}|${undefined}|${0}`.value).toBe('&lt;one&gt;<b>two</b>||||0')
  })

  it('only trusts SafeHtml, not look-alike objects', () => {
    const fake = { value: '<script>' } as unknown as string
    expect(html`${fake}`.value).toBe('[object Object]')
    expect(html`${new SafeHtml('<br>')}`.value).toBe('<br>')
  })
})
