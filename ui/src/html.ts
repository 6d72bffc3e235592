// Every view builds markup with the `html` tag below, so text that comes from
// Rust, the server or the person typing can never become markup.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)
}

/** Markup that is already safe, produced only by `html` or `trusted`. */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[]

function interpolate(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(interpolate).join('')
  // Lets views write `${condition && html`...`}` without printing "false".
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(value)
}

/** Template tag: interpolated values are escaped unless they are SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += interpolate(value) + (strings[i + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** Replaces the children of `target` with the given markup. */
export function renderInto(target: Element, content: SafeHtml): void {
  target.innerHTML = content.value
}
