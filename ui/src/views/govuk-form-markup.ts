// Markup for the GOV.UK Frontend form and content components the case page
// uses, following the govuk-frontend 6 Nunjucks templates (textarea, date
// input, radios, tag, warning text, notification banner, summary card).
import { html, type SafeHtml } from '../html'

interface FieldBase {
  id: string
  label: string
  hint?: string | undefined
  error?: string | undefined
  /** e.g. `govuk-label--s` */
  labelClasses?: string | undefined
}

function errorMessage(id: string, message: string): SafeHtml {
  return html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${message}</p>`
}

function hint(id: string, text: string | undefined): SafeHtml {
  return html`${text !== undefined && html`<div id="${id}-hint" class="govuk-hint">${text}</div>`}`
}

function describedBy(id: string, o: { hint?: string | undefined; error?: string | undefined }): SafeHtml {
  const ids = [o.hint === undefined ? null : `${id}-hint`, o.error === undefined ? null : `${id}-error`].filter(
    (x): x is string => x !== null,
  )
  return ids.length === 0 ? html`` : html` aria-describedby="${ids.join(' ')}"`
}

function formGroup(error: string | undefined, content: SafeHtml): SafeHtml {
  return html`<div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">${content}</div>`
}

function label(o: FieldBase): SafeHtml {
  return html`<label class="govuk-label${o.labelClasses ? ` ${o.labelClasses}` : ''}" for="${o.id}">${o.label}</label>`
}

export interface InputFieldOptions extends FieldBase {
  value?: string | undefined
  type?: 'text' | 'email' | 'tel' | 'datetime-local' | undefined
  /** Leave out for fields the browser should not fill in. */
  autocomplete?: string | undefined
  inputmode?: 'numeric' | 'text' | undefined
  /** A govuk-input--width-* or govuk-!-width-* class. */
  widthClass?: string | undefined
  /** Identifiers, codes and names: no red squiggles or capitalised first letters. */
  spellcheck?: boolean | undefined
}

export function inputField(o: InputFieldOptions): SafeHtml {
  const classes = ['govuk-input', o.widthClass, o.error === undefined ? undefined : 'govuk-input--error'].filter(Boolean).join(' ')
  return formGroup(
    o.error,
    html`
      ${label(o)}
      ${hint(o.id, o.hint)}
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <input class="${classes}" id="${o.id}" name="${o.id}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"
        autocomplete="${o.autocomplete ?? 'off'}"${o.inputmode === undefined ? html`` : html` inputmode="${o.inputmode}"`}${o.spellcheck === false ? html` spellcheck="false" autocapitalize="none"` : html``}${describedBy(o.id, o)}>`,
  )
}

export interface TextareaFieldOptions extends FieldBase {
  value?: string | undefined
  rows?: number | undefined
}

export function textareaField(o: TextareaFieldOptions): SafeHtml {
  return formGroup(
    o.error,
    html`
      ${label(o)}
      ${hint(o.id, o.hint)}
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <textarea class="govuk-textarea${o.error === undefined ? '' : ' govuk-textarea--error'}" id="${o.id}" name="${o.id}"
        rows="${o.rows ?? 5}"${describedBy(o.id, o)}>${o.value ?? ''}</textarea>`,
  )
}

export interface DateParts {
  day: string
  month: string
  year: string
}

export interface DateFieldOptions {
  /** The inputs are `<id>-day`, `<id>-month` and `<id>-year`; error links point at `<id>-day`. */
  id: string
  legend: string
  hint?: string | undefined
  error?: string | undefined
  value?: DateParts | undefined
}

export function dateField(o: DateFieldOptions): SafeHtml {
  const part = (name: keyof DateParts, text: string, width: number) => html`
    <div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for="${o.id}-${name}">${text}</label>
        <input class="govuk-input govuk-date-input__input govuk-input--width-${width}${o.error === undefined ? '' : ' govuk-input--error'}"
          id="${o.id}-${name}" name="${o.id}-${name}" type="text" inputmode="numeric" autocomplete="off" value="${o.value?.[name] ?? ''}">
      </div>
    </div>`
  return formGroup(
    o.error,
    html`
      <fieldset class="govuk-fieldset" role="group"${describedBy(o.id, o)}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${o.legend}</legend>
        ${hint(o.id, o.hint)}
        ${o.error !== undefined && errorMessage(o.id, o.error)}
        <div class="govuk-date-input" id="${o.id}">
          ${part('day', 'Day', 2)}${part('month', 'Month', 2)}${part('year', 'Year', 4)}
        </div>
      </fieldset>`,
  )
}

export interface RadioItem {
  value: string
  text: string
  hint?: string | undefined
}

export interface RadiosFieldOptions {
  /** The first radio's id, which error links point at; the rest are `<id>-2`, `<id>-3`… */
  id: string
  legend: string
  hint?: string | undefined
  error?: string | undefined
  items: readonly RadioItem[]
  checked?: string | null | undefined
  inline?: boolean | undefined
}

export function radiosField(o: RadiosFieldOptions): SafeHtml {
  return formGroup(
    o.error,
    html`
      <fieldset class="govuk-fieldset"${describedBy(o.id, o)}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${o.legend}</legend>
        ${hint(o.id, o.hint)}
        ${o.error !== undefined && errorMessage(o.id, o.error)}
        <div class="govuk-radios govuk-radios--small${o.inline ? ' govuk-radios--inline' : ''}" data-module="govuk-radios">
          ${o.items.map((item, index) => {
            const itemId = index === 0 ? o.id : `${o.id}-${index + 1}`
            return html`
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="${itemId}" name="${o.id}" type="radio" value="${item.value}"${item.value === o.checked ? html` checked` : html``}${item.hint === undefined ? html`` : html` aria-describedby="${itemId}-item-hint"`}>
                <label class="govuk-label govuk-radios__label" for="${itemId}">${item.text}</label>
                ${item.hint !== undefined && html`<div id="${itemId}-item-hint" class="govuk-hint govuk-radios__hint">${item.hint}</div>`}
              </div>`
          })}
        </div>
      </fieldset>`,
  )
}

export type TagColour = 'green' | 'yellow' | 'red' | 'grey' | 'blue' | 'orange' | 'teal' | 'purple'

export function tag(text: string, colour: TagColour, extraClasses = ''): SafeHtml {
  // GOV.UK Frontend 6 has no blue modifier: the plain tag is blue.
  const modifier = colour === 'blue' ? '' : ` govuk-tag--${colour}`
  return html`<strong class="govuk-tag${modifier}${extraClasses ? ` ${extraClasses}` : ''}">${text}</strong>`
}

export function warningText(content: SafeHtml | string, fallback = 'Warning'): SafeHtml {
  return html`
    <div class="govuk-warning-text">
      <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
      <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">${fallback}</span> ${content}</strong>
    </div>`
}

export interface SummaryRow {
  key: string
  value: SafeHtml | string
  /** A button that acts on the row (GOV.UK uses a link to another page; here the form opens in place). */
  action?: SafeHtml | undefined
}

export function summaryRows(rows: readonly SummaryRow[], classes = ''): SafeHtml {
  const anyActions = rows.some((row) => row.action !== undefined)
  return html`
    <dl class="govuk-summary-list${classes ? ` ${classes}` : ''}">
      ${rows.map(
        (row) => html`
          <div class="govuk-summary-list__row${anyActions && row.action === undefined ? ' govuk-summary-list__row--no-actions' : ''}">
            <dt class="govuk-summary-list__key">${row.key}</dt>
            <dd class="govuk-summary-list__value">${row.value}</dd>
            ${row.action !== undefined && html`<dd class="govuk-summary-list__actions">${row.action}</dd>`}
          </div>`,
      )}
    </dl>`
}

export function summaryCard(title: string, headingId: string, content: SafeHtml, actions?: SafeHtml): SafeHtml {
  return html`
    <div class="govuk-summary-card">
      <div class="govuk-summary-card__title-wrapper">
        <h3 class="govuk-summary-card__title" id="${headingId}" tabindex="-1">${title}</h3>
        ${actions !== undefined && html`<div class="govuk-summary-card__actions">${actions}</div>`}
      </div>
      <div class="govuk-summary-card__content">${content}</div>
    </div>`
}
