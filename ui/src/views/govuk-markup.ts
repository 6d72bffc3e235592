// Markup for the GOV.UK Frontend components the pages use, copied from the
// govuk-frontend 6 Nunjucks templates so the component CSS and JavaScript
// find the classes, ids and data-module attributes they expect.
import { html, type SafeHtml } from '../html'

export interface ErrorSummaryItem {
  text: string
  /** The field's id; leave out for problems that are not about one field. */
  fieldId?: string
}

export function errorSummary(items: readonly ErrorSummaryItem[]): SafeHtml {
  return html`
    <div class="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            ${items.map((item) =>
              item.fieldId === undefined
                ? html`<li>${item.text}</li>`
                : html`<li><a href="#${item.fieldId}">${item.text}</a></li>`,
            )}
          </ul>
        </div>
      </div>
    </div>`
}

function errorMessage(id: string, message: string): SafeHtml {
  return html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${message}</p>`
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): SafeHtml {
  const ids = [hint === undefined ? null : `${id}-hint`, error === undefined ? null : `${id}-error`].filter(
    (x): x is string => x !== null,
  )
  return ids.length === 0 ? html`` : html` aria-describedby="${ids.join(' ')}"`
}

export interface TextInputOptions {
  id: string
  label: string
  hint?: string
  error?: string
  value?: string
  type?: 'text' | 'url'
  autocomplete: string
  /** A govuk-input--width-* or govuk-!-width-* class. */
  widthClass?: string
}

export function textInput(o: TextInputOptions): SafeHtml {
  const classes = ['govuk-input', o.widthClass, o.error === undefined ? undefined : 'govuk-input--error']
    .filter(Boolean)
    .join(' ')
  return html`
    <div class="govuk-form-group${o.error === undefined ? '' : ' govuk-form-group--error'}">
      <label class="govuk-label" for="${o.id}">${o.label}</label>
      ${o.hint !== undefined && html`<div id="${o.id}-hint" class="govuk-hint">${o.hint}</div>`}
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <input class="${classes}" id="${o.id}" name="${o.id}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"
        spellcheck="false" autocapitalize="none" autocomplete="${o.autocomplete}"${describedBy(o.id, o.hint, o.error)}>
    </div>`
}

export interface PasswordInputOptions {
  id: string
  label: string
  error?: string
  autocomplete: 'current-password' | 'new-password'
}

/** The value is never written into the markup; set it on the element instead. */
export function passwordInput(o: PasswordInputOptions): SafeHtml {
  return html`
    <div class="govuk-form-group govuk-password-input${o.error === undefined ? '' : ' govuk-form-group--error'}" data-module="govuk-password-input">
      <label class="govuk-label" for="${o.id}">${o.label}</label>
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <div class="govuk-input__wrapper govuk-password-input__wrapper">
        <input class="govuk-input govuk-password-input__input govuk-js-password-input-input${o.error === undefined ? '' : ' govuk-input--error'}"
          id="${o.id}" name="${o.id}" type="password" spellcheck="false" autocapitalize="none" autocomplete="${o.autocomplete}"${describedBy(o.id, undefined, o.error)}>
        <button type="button" class="govuk-button govuk-button--secondary govuk-password-input__toggle govuk-js-password-input-toggle"
          data-module="govuk-button" aria-controls="${o.id}" aria-label="Show password" hidden>Show</button>
      </div>
    </div>`
}

export interface SummaryListRow {
  key: string
  value: string
  /** Extra classes for the value cell, e.g. to let long paths wrap. */
  valueClasses?: string
}

export function summaryList(rows: readonly SummaryListRow[]): SafeHtml {
  return html`
    <dl class="govuk-summary-list">
      ${rows.map(
        (row) => html`
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">${row.key}</dt>
            <dd class="govuk-summary-list__value${row.valueClasses ? ` ${row.valueClasses}` : ''}">${row.value}</dd>
          </div>`,
      )}
    </dl>`
}

export interface SelectOption {
  value: string
  text: string
}

export interface SelectOptions {
  id: string
  label: string
  options: readonly SelectOption[]
  value?: string
  hint?: string
  /** Extra classes for the form group, e.g. to lay filters out in a grid. */
  groupClasses?: string
}

export function select(o: SelectOptions): SafeHtml {
  return html`
    <div class="govuk-form-group${o.groupClasses ? ` ${o.groupClasses}` : ''}">
      <label class="govuk-label" for="${o.id}">${o.label}</label>
      ${o.hint !== undefined && html`<div id="${o.id}-hint" class="govuk-hint">${o.hint}</div>`}
      <select class="govuk-select" id="${o.id}" name="${o.id}"${describedBy(o.id, o.hint, undefined)}>
        ${o.options.map(
          (option) =>
            html`<option value="${option.value}"${option.value === o.value ? html` selected` : ''}>${option.text}</option>`,
        )}
      </select>
    </div>`
}
