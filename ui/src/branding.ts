// Each council brands the header with its own colour. The colour arrives at
// run time from Rust, so it is applied as a CSS custom property (through the
// CSSOM, which the strict CSP allows) rather than compiled into the Sass.
import type { Council } from './ipc'

/** The custom property read by src/styles/main.scss. */
export const COUNCIL_COLOUR_PROPERTY = '--doorstep-council-colour'

/** Header text is white, so anything lighter than this would be unreadable. */
export const MINIMUM_CONTRAST_WITH_WHITE = 4.5

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i

/** Returns the colour as lower-case #rrggbb, or null if it is not a hex colour. */
export function normaliseHexColour(colour: string): string | null {
  const value = colour.trim()
  if (!HEX_COLOUR.test(value)) return null
  const digits =
    value.length === 4
      ? value
          .slice(1)
          .split('')
          .map((d) => d + d)
          .join('')
      : value.slice(1)
  return `#${digits.toLowerCase()}`
}

function relativeLuminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
  const [r = 0, g = 0, b = 0] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number]
  return (light + 0.05) / (dark + 0.05)
}

/**
 * Applies the council colour to the page. Rust already guarantees the colour
 * is readable with white text; this check is defence in depth so a bad
 * setting can never make the header unreadable — the default colour stays.
 *
 * @returns the colour applied, or null if the default was kept
 */
export function applyCouncilBranding(council: Pick<Council, 'colour'>, doc: Document = document): string | null {
  const colour = normaliseHexColour(council.colour)
  if (colour === null || contrastRatio(colour, '#ffffff') < MINIMUM_CONTRAST_WITH_WHITE) {
    doc.documentElement.style.removeProperty(COUNCIL_COLOUR_PROPERTY)
    return null
  }
  doc.documentElement.style.setProperty(COUNCIL_COLOUR_PROPERTY, colour)
  doc.querySelector('meta[name="theme-color"]')?.setAttribute('content', colour)
  return colour
}
