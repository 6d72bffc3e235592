// The warning before the idle lock (WCAG 2.2.1 Timing Adjustable: warn
// before time runs out and give at least 20 seconds to extend it with a
// simple action). A modal dialog, like the GOV.UK "timeout warning" pattern
// councils use for signed-in services: it takes focus, says when Doorstep
// will lock and that the work is safe, and offers "Stay unlocked" (also
// Escape) and "Lock now". The countdown is redrawn each second but only
// announced at set moments, so a screen reader is not talked over.
import { html, renderInto } from './html'

export interface IdleWarningActions {
  /** The person wants to keep working: tell Rust they are there. */
  stay(): void
  /** The person is leaving the laptop: lock at once. */
  lockNow(): void
  /** The countdown reached nothing: ask Rust, which will have locked. */
  expired(): void
}

/** Seconds left at which the countdown is read out, besides on opening. */
const ANNOUNCE_AT_SECONDS: ReadonlySet<number> = new Set([60, 20])

export const IDLE_WARNING_ID = 'doorstep-idle-warning'

interface ShownWarning {
  dialog: HTMLDialogElement
  deadline: number
  timer: ReturnType<typeof setInterval>
  actions: IdleWarningActions
  /** Where focus was, to put it back when the person stays. */
  returnFocusTo: HTMLElement | null
  lastAnnouncedSecond: number | null
}

let shown: ShownWarning | null = null

/** "2 minutes", "1 minute 5 seconds", "20 seconds". */
export function formatTimeLeft(secondsLeft: number): string {
  const seconds = Math.max(0, Math.ceil(secondsLeft))
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  const minuteText = minutes === 1 ? '1 minute' : `${minutes} minutes`
  const secondText = rest === 1 ? '1 second' : `${rest} seconds`
  if (minutes === 0) return secondText
  return rest === 0 ? minuteText : `${minuteText} ${secondText}`
}

export function isIdleWarningShown(): boolean {
  return shown !== null
}

function secondsLeft(warning: ShownWarning): number {
  return Math.max(0, Math.ceil((warning.deadline - Date.now()) / 1000))
}

function redraw(warning: ShownWarning): void {
  const left = secondsLeft(warning)
  const visible = warning.dialog.querySelector<HTMLElement>('[data-time-left]')
  if (visible) visible.textContent = formatTimeLeft(left)
  if (ANNOUNCE_AT_SECONDS.has(left) && warning.lastAnnouncedSecond !== left) {
    warning.lastAnnouncedSecond = left
    // Inside the dialog: the page's own live region is inert behind a modal.
    const region = warning.dialog.querySelector<HTMLElement>('[data-announce]')
    if (region) region.textContent = `Doorstep will lock in ${formatTimeLeft(left)}.`
  }
  if (left === 0) {
    const { actions } = warning
    close(false)
    actions.expired()
  }
}

function close(restoreFocus: boolean): void {
  const warning = shown
  if (warning === null) return
  shown = null
  clearInterval(warning.timer)
  if (warning.dialog.open) warning.dialog.close()
  warning.dialog.remove()
  if (restoreFocus && warning.returnFocusTo?.isConnected) warning.returnFocusTo.focus()
}

function build(millisLeft: number): HTMLDialogElement {
  const dialog = document.createElement('dialog')
  dialog.id = IDLE_WARNING_ID
  dialog.className = 'doorstep-idle-warning'
  dialog.setAttribute('role', 'alertdialog')
  dialog.setAttribute('aria-modal', 'true')
  dialog.setAttribute('aria-labelledby', 'doorstep-idle-warning-title')
  dialog.setAttribute('aria-describedby', 'doorstep-idle-warning-text')
  renderInto(
    dialog,
    html`
      <h2 class="govuk-heading-m" id="doorstep-idle-warning-title">Doorstep is about to lock</h2>
      <p class="govuk-body" id="doorstep-idle-warning-text">
        To protect people’s information, Doorstep will lock in
        <strong data-time-left>${formatTimeLeft(millisLeft / 1000)}</strong> because it has not been used.
        Everything you have saved stays on this laptop. You will need your PIN to unlock it.
      </p>
      <p class="govuk-visually-hidden" aria-live="assertive" data-announce></p>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button" data-module="govuk-button" data-stay>Stay unlocked</button>
        <button type="button" class="govuk-button govuk-button--secondary" data-module="govuk-button" data-lock-now>Lock now</button>
      </div>`,
  )
  return dialog
}

/**
 * Shows the warning with `millisLeft` until the lock, or, when it is already
 * showing, moves its deadline to what Rust now says.
 */
export function showIdleWarning(millisLeft: number, actions: IdleWarningActions): void {
  if (shown !== null) {
    shown.deadline = Date.now() + millisLeft
    shown.actions = actions
    redraw(shown)
    return
  }
  const dialog = build(millisLeft)
  const active = document.activeElement
  const warning: ShownWarning = {
    dialog,
    deadline: Date.now() + millisLeft,
    timer: setInterval(() => {
      if (shown === warning) redraw(warning)
    }, 1000),
    actions,
    returnFocusTo: active instanceof HTMLElement && active !== document.body ? active : null,
    lastAnnouncedSecond: null,
  }
  shown = warning

  const stay = () => {
    close(true)
    warning.actions.stay()
  }
  dialog.querySelector('[data-stay]')?.addEventListener('click', stay)
  dialog.querySelector('[data-lock-now]')?.addEventListener('click', () => {
    close(false)
    warning.actions.lockNow()
  })
  // Escape is the quickest way to say "I am still here".
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    stay()
  })

  document.body.append(dialog)
  if (typeof dialog.showModal === 'function') dialog.showModal()
  else dialog.setAttribute('open', '')
  dialog.querySelector<HTMLButtonElement>('[data-stay]')?.focus()
}

/** Takes the warning away without doing anything (the lock came, or the person came back). */
export function hideIdleWarning(): void {
  close(false)
}
