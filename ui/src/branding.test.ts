import { describe, expect, it } from 'vitest'
import { COUNCIL_COLOUR_PROPERTY, applyCouncilBranding, contrastRatio, normaliseHexColour } from './branding'

function appliedColour(): string {
  return document.documentElement.style.getPropertyValue(COUNCIL_COLOUR_PROPERTY)
}

describe('council branding', () => {
  it('colours the header with the council colour from the settings', () => {
    expect(applyCouncilBranding({ colour: '#1D4F91' })).toBe('#1d4f91')
    expect(appliedColour()).toBe('#1d4f91')
  })

  it('updates the window theme colour to match', () => {
    const meta = document.createElement('meta')
    meta.name = 'theme-color'
    meta.content = '#0b0c0c'
    document.head.append(meta)
    applyCouncilBranding({ colour: '#00703c' })
    expect(meta.content).toBe('#00703c')
  })

  it('accepts short hex colours', () => {
    expect(applyCouncilBranding({ colour: '#036' })).toBe('#003366')
  })

  it('keeps the default colour if white text would be hard to read on the council colour', () => {
    applyCouncilBranding({ colour: '#1d4f91' })
    expect(applyCouncilBranding({ colour: '#ffdd00' })).toBeNull()
    expect(appliedColour()).toBe('')
  })

  it('ignores values that are not hex colours, so settings cannot inject CSS', () => {
    for (const colour of ['red', 'url(x)', '#12345', '#1d4f91; color: red', 'var(--x)']) {
      expect(applyCouncilBranding({ colour })).toBeNull()
      expect(appliedColour()).toBe('')
    }
  })

  it('measures contrast the way WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5)
    // GOV.UK blue on white is documented as 5.17:1.
    expect(contrastRatio('#1d70b8', '#ffffff')).toBeCloseTo(5.17, 1)
  })

  it('normalises colours to lower-case #rrggbb', () => {
    expect(normaliseHexColour(' #ABC ')).toBe('#aabbcc')
    expect(normaliseHexColour('1d4f91')).toBeNull()
  })
})
