// Markup for the sign-in, PIN, lock and sign-out pages, following the
// govuk-frontend 6 Nunjucks templates (password input, radios, checkboxes,
// notification banner, error summary) so the component CSS and JavaScript
// find what they expect.
import { html, type SafeHtml } from '../html'

export interface ProblemItem {
  text: string
  /** `#field-id` for a field on the page, or a route such as `#/outbox`. Leave out for plain text. */
  href?: string
}

/** The GOV.UK error summary; it takes focus when its component starts. */
export function problemSummary(items: readonly ProblemItem[]): SafeHtml {
  return html`
    <div class="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            ${items.map((item) =>
              item.href === undefined ? html`<li>${item.text}</li>` : html`<li><a href="${item.href}">${item.text}</a></li>`,
            )}
          </ul>
        </div>
      </div>
    </div>`
}

function errorMessage(id: string, message: string): SafeHtml {
  return html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${message}</p>`
}

function describedBy(...ids: (string | null)[]): SafeHtml {
  const present = ids.filter((id): id is string => id !== null)
  return present.length === 0 ? html`` : html` aria-describedby="${present.join(' ')}"`
}

export interface PinInputOptions {
  id: string
  label: string
  /** What the Show button shows, for its accessible name ("Show PIN"). Defaults to the label. */
  toggleName?: string | undefined
  hint?: string | undefined
  error?: string | undefined
}

/**
 * A PIN field: the GOV.UK password input (hidden as it is typed, with a Show
 * button) that brings up the number keys on a touch screen. Browsers must
 * not offer to save or fill it: it is not the council password. The value
 * is never written into the markup; set it on the element instead.
 */
export function pinInput(o: PinInputOptions): SafeHtml {
  const hintId = o.hint === undefined ? null : `${o.id}-hint`
  const errorId = o.error === undefined ? null : `${o.id}-error`
  const toggleName = o.toggleName ?? o.label
  return html`
    <div class="govuk-form-group govuk-password-input${o.error === undefined ? '' : ' govuk-form-group--error'}" data-module="govuk-password-input"
      data-i18n.show-password-aria-label="Show ${toggleName}" data-i18n.hide-password-aria-label="Hide ${toggleName}"
      data-i18n.password-shown-announcement="Your PIN is visible" data-i18n.password-hidden-announcement="Your PIN is hidden">
      <label class="govuk-label govuk-label--s" for="${o.id}">${o.label}</label>
      ${hintId !== null && html`<div id="${hintId}" class="govuk-hint">${o.hint}</div>`}
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <div class="govuk-input__wrapper govuk-password-input__wrapper">
        <input class="govuk-input govuk-password-input__input govuk-js-password-input-input doorstep-pin-input${o.error === undefined ? '' : ' govuk-input--error'}"
          id="${o.id}" name="${o.id}" type="password" inputmode="numeric" autocomplete="off" spellcheck="false" autocapitalize="none"${describedBy(hintId, errorId)}>
        <button type="button" class="govuk-button govuk-button--secondary govuk-password-input__toggle govuk-js-password-input-toggle"
          data-module="govuk-button" aria-controls="${o.id}" aria-label="Show ${toggleName}" hidden>Show</button>
      </div>
    </div>`
}

export interface RadioChoice {
  value: string
  text: string
  hint?: string
}

export interface RadiosOptions {
  /** The first radio's id, which error links point at; the rest are `<name>-2`, `<name>-3`… */
  name: string
  legend: string
  choices: readonly RadioChoice[]
  checked: string
}

export function radios(o: RadiosOptions): SafeHtml {
  return html`
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${o.legend}</legend>
        <div class="govuk-radios" data-module="govuk-radios">
          ${o.choices.map((choice, index) => {
            const id = index === 0 ? o.name : `${o.name}-${index + 1}`
            const hintId = choice.hint === undefined ? null : `${id}-item-hint`
            return html`
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="${id}" name="${o.name}" type="radio" value="${choice.value}"${choice.value === o.checked ? html` checked` : html``}${describedBy(hintId)}>
                <label class="govuk-label govuk-radios__label" for="${id}">${choice.text}</label>
                ${hintId !== null && html`<div id="${hintId}" class="govuk-hint govuk-radios__hint">${choice.hint}</div>`}
              </div>`
          })}
        </div>
      </fieldset>
    </div>`
}

export interface SingleCheckboxOptions {
  id: string
  label: string
  error?: string | undefined
}

/** One checkbox that the person must tick to go on, such as "I understand". */
export function singleCheckbox(o: SingleCheckboxOptions): SafeHtml {
  return html`
    <div class="govuk-form-group${o.error === undefined ? '' : ' govuk-form-group--error'}">
      ${o.error !== undefined && errorMessage(o.id, o.error)}
      <div class="govuk-checkboxes" data-module="govuk-checkboxes">
        <div class="govuk-checkboxes__item">
          <input class="govuk-checkboxes__input" id="${o.id}" name="${o.id}" type="checkbox" value="yes"${describedBy(o.error === undefined ? null : `${o.id}-error`)}>
          <label class="govuk-label govuk-checkboxes__label" for="${o.id}">${o.label}</label>
        </div>
      </div>
    </div>`
}

/**
 * An "Important" notification banner for something that happened before
 * this page opened (such as being signed out after too many wrong PINs). It
 * is an alert, so screen readers read it out as the page appears.
 */
export function importantBanner(id: string, message: string): SafeHtml {
  return html`
    <div class="govuk-notification-banner" role="alert" aria-labelledby="${id}-title" id="${id}">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="${id}-title">Important</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${message}</p>
      </div>
    </div>`
}
