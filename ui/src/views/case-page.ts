// The case page (`/cases/:id`): everything a caseworker records about one
// case. It loads the case with `showCase`, shows risk warnings first, and
// after each save announces "Saved on this laptop", nudges the background
// sync (`changeSaved`) and renders the case again from Rust, so the page
// never shows a change that was not stored. When Doorstep locks, what was
// typed but not saved is kept in memory and given back when the case opens
// again after the PIN. A team lead can also hand the case to someone else
// (case-page-reassign.ts).
import { renderInto } from '../html'
import { handleLocked } from '../idle'
import {
  addItem,
  addNote,
  addPerson,
  attachFile,
  attachmentBytes,
  changeSaved,
  checkIn,
  checkOut,
  editNote,
  setField,
  setNarrative,
  reviewCase,
  caseAccessRecord,
  showCase,
  submitForReview,
  teamCaseload,
  ipcErrorOf,
  type CasePage,
  type CaseView,
  type PersonInput,
  type ReviewDecision,
} from '../ipc'
import { clearLeaveGuard, setLeaveGuard, type LeaveGuard } from '../leave-guard'
import { announce } from '../live-region'
import { isTeamLead, lastReadRole, readRole } from '../role'
import {
  PERSON_FIELDS,
  fieldNameFromRust,
  idPart,
  inputIdFor,
  readChoice,
  readDate,
  readDateParts,
  readText,
  requiredMessage,
  type FieldProblem,
} from './case-page-fields'
import { instantFromDateTimeLocal, itemText, textOf, toDateTimeLocal } from './case-page-format'
import {
  ATTACH_INPUT_ID,
  CHANGE_INPUT_ID,
  MAX_ATTACHMENT_BYTES,
  REVIEW_COMMENT_ID,
  REVIEW_DECISION_ID,
  REVIEW_SAVED_ID,
  SIGNATURE_METHOD_ID,
  LOAD_ERROR_TITLE,
  NOT_FOUND_TITLE,
  SOMEONE_ELSE,
  activeRisks,
  caseHeading,
  casePageMarkup,
  changeButtonId,
  editableField,
  isImage,
  loadErrorMarkup,
  loadingMarkup,
  notFoundMarkup,
  type Panel,
} from './case-page-markup'
import { accessFailure } from './access-record'
import { ACCESS_BUTTON_ID, NOT_ASKED, accessResultMessage, type AccessRecordState } from './case-page-access'
import { Previews, attachmentPreviewKey, signaturePreviewKey } from './case-page-previews'
import {
  REASSIGN_SAVED_ID,
  UNLISTED,
  reassignChoicesFrom,
  readReassignment,
  type ReassignChoices,
  type Reassignment,
} from './case-page-reassign'
import { attachSignaturePad, type SignaturePad } from './case-page-signature'
import type { View, ViewContext } from './view'

export const SAVED_MESSAGE = 'Saved on this laptop'
export const CHOOSE_DECISION_MESSAGE = 'Select whether to approve the case or return it to the caseworker'
/** As Rust's `CaseError::CommentRequired`, so the page says the same before and after asking. */
export const RETURN_NEEDS_COMMENT_MESSAGE = 'Enter comments saying what needs to change before you return the case'

/** What a submitted form asks for: problems to show, or a save to run. */
type Submission =
  | { problems: FieldProblem[] }
  | {
      save: () => Promise<unknown>
      /** The input a Rust `invalid_field` error belongs to, from the field name Rust gives. */
      inputFor: (rustField: string) => string | undefined
      /** For a form with one input: every error Rust gives is about it, field error or not. */
      errorsAt?: string
      /** Where focus goes once the page shows the saved change. */
      focusAfter: string | null
    }

type Drafts = Map<string, string | boolean>

/** What the person has typed or chosen in the page's fields. */
interface Typed {
  drafts: Drafts
  files: FileList | null
}

/** Unsaved work on a case when Doorstep locked: the fields, and the form that was open. */
interface KeptWork extends Typed {
  panel: Panel | null
  opener: string | null
  signatureDrawing: string | null
}

/**
 * Kept work by case id, until the case next opens. Only in memory, like
 * any unsaved typing; signing out or in forgets it, as the next person to
 * use the laptop may be someone else.
 */
const keptForUnlock = new Map<string, KeptWork>()

/** Forgets every case's kept work, so no one else who signs in is shown it. */
export function forgetWorkKeptForUnlock(): void {
  keptForUnlock.clear()
}

/** Remembers what was typed in every field, so rendering the page again keeps it. */
function captureDrafts(root: Element): Drafts {
  const drafts: Drafts = new Map()
  root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input[id], textarea[id], select[id]').forEach((field) => {
    // A script may only empty a file input; the chosen files are carried over separately.
    if (field instanceof HTMLInputElement && field.type === 'file') return
    drafts.set(field.id, field instanceof HTMLInputElement && field.type === 'radio' ? field.checked : field.value)
  })
  return drafts
}

function restoreDrafts(root: Element, drafts: Drafts): void {
  drafts.forEach((value, id) => {
    const field = root.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`#${CSS.escape(id)}`)
    if (!field) return
    if (typeof value === 'boolean' && field instanceof HTMLInputElement) field.checked = value
    else if (typeof value === 'string') field.value = value
  })
}

function idsWithin(element: Element | null): string[] {
  return element ? [...element.querySelectorAll('input[id], textarea[id], select[id]')].map((field) => field.id) : []
}

const normaliseLineEndings = (text: string) => text.replace(/\r\n?/g, '\n')

/** Every picture the case can show, so those of attachments or consent records that have gone are let go. */
function pictureKeys(view: CaseView): Set<string> {
  return new Set([
    ...view.attachments.filter(isImage).map((a) => attachmentPreviewKey(a.sha256)),
    ...view.consents.filter((c) => itemText(c, 'signature_attachment') !== null).map((c) => signaturePreviewKey(c.id)),
  ])
}

class CasePageController {
  private readonly content = document.createElement('div')
  private page: CasePage | null = null
  private panel: Panel | null = null
  private problems: FieldProblem[] = []
  private leaveTo: string | null = null
  /** The button that opened the current panel, for focus when it closes. */
  private opener: string | null = null
  private busy = false
  private signaturePad: SignaturePad | null = null
  private signatureDrawing: string | null = null
  private readonly previews = new Previews()
  /** From `device_status`, asked for once a case awaiting review is shown: only a lead may decide. */
  private teamLead = false
  private roleKnown = false
  /** The review decision just saved, for the success banner until the next change. */
  private reviewSaved: ReviewDecision | null = null
  /** For a team lead, who the case can be handed to (from `team_caseload`); null for anyone else. */
  private team: ReassignChoices | null = null
  /** The reassignment just saved, for the success banner until the next change. */
  private reassignSaved: Reassignment | null = null
  /** A team lead's request for the server's access record: asked for only when they press the button. */
  private accessRecord: AccessRecordState = NOT_ASKED
  /** Pictures being read from Rust, so a second click does not read them twice. */
  private readonly loadingPictures = new Set<string>()
  // Views are not told when the app replaces them; every page change comes
  // with a hashchange, after which a page no longer in the document lets go
  // of its pictures.
  private readonly onHashChange = () => setTimeout(() => this.stillShown())
  /** The fields of a change Rust has saved, while the page still shows them as typed. */
  private savedNotShown: readonly string[] = []
  private readonly guard: LeaveGuard = {
    hasUnsavedChanges: () => this.content.isConnected && this.narrativeChanged(),
    onBlocked: (to) => {
      this.leaveTo = to
      this.render({ focus: 'leave-warning' })
    },
    keepForUnlock: () => this.keepForUnlock(),
  }

  constructor(
    private readonly container: HTMLElement,
    private readonly ctx: ViewContext,
    private readonly caseId: string,
  ) {}

  start(): void {
    this.content.className = 'doorstep-case-page'
    this.container.replaceChildren(this.content)
    renderInto(this.content, loadingMarkup())
    this.content.addEventListener('submit', (event) => this.onSubmit(event))
    this.content.addEventListener('click', (event) => this.onClick(event))
    this.content.addEventListener('input', (event) => {
      if (event.target instanceof HTMLTextAreaElement && event.target.id === 'narrative') this.showNarrativeState()
    })
    this.content.addEventListener('change', (event) => {
      if (event.target instanceof HTMLInputElement && event.target.type === 'radio') this.showRevealedChoices()
    })
    window.addEventListener('hashchange', this.onHashChange)
    setLeaveGuard(this.guard)
    void this.load()
  }

  // -------------------------------------------------------------------------
  // Loading and rendering
  // -------------------------------------------------------------------------

  /** False once the person has gone to another page: its title and focus are not ours to change. */
  private stillShown(): boolean {
    if (this.content.isConnected) return true
    clearLeaveGuard(this.guard)
    this.previews.clear()
    window.removeEventListener('hashchange', this.onHashChange)
    return false
  }

  private async load(): Promise<void> {
    let page: CasePage
    try {
      page = await showCase(this.caseId)
    } catch (error) {
      if (handleLocked(error)) return
      if (this.stillShown()) this.showLoadError(error, this.content.contains(document.activeElement))
      return
    }
    await this.learnRole(page)
    await this.learnTeam()
    if (!this.stillShown()) return
    this.page = page
    this.previews.keepOnly(pictureKeys(page.case))
    const kept = keptForUnlock.get(this.caseId)
    keptForUnlock.delete(this.caseId)
    if (kept !== undefined) {
      this.panel = kept.panel
      this.opener = kept.opener
      this.signatureDrawing = kept.signatureDrawing
    }
    // Focus on the loading heading means the person navigated here: move it
    // on to the case once it is shown. On first load it stays at the top.
    const hadFocus = this.content.contains(document.activeElement)
    const hasRisks = activeRisks(this.page.case).length > 0
    // Risk warnings are read first, before anything else on the case.
    this.render({
      focus: hadFocus ? (hasRisks ? 'case-risks' : 'heading') : null,
      typed: kept ?? { drafts: new Map(), files: null },
    })
  }

  /**
   * A case awaiting review asks Rust for the role, once, as only a lead may
   * decide. Any other case needs it only to offer a lead Reassign, so it
   * makes do with the answer the app got as the page opened (it asks at
   * every page change) rather than asking again. If Rust cannot say, the
   * page is shown as to a caseworker, and the next case shown asks again.
   */
  private async learnRole(page: CasePage): Promise<void> {
    if (this.roleKnown) return
    if (textOf(page.case.fields['status']) !== 'awaiting_review') {
      this.teamLead = isTeamLead(await lastReadRole())
      return
    }
    try {
      this.teamLead = isTeamLead(await readRole())
      this.roleKnown = true
    } catch {
      this.teamLead = false
    }
  }

  /**
   * A lead's choices for Reassign: everyone with cases on this laptop, asked
   * again each time the case is shown, so the open cases are up to date
   * after a reassignment. Without the list, the lead can still type a name.
   */
  private async learnTeam(): Promise<void> {
    if (!this.teamLead) {
      this.team = null
      return
    }
    try {
      this.team = reassignChoicesFrom((await teamCaseload()).workers)
    } catch (error) {
      // The lock screen takes over; the page shows the list when it opens again.
      if (handleLocked(error)) return
      this.team = UNLISTED
    }
  }

  /** The lock screen is replacing the page: keeps what was typed, for `load` to give back after the PIN. */
  private keepForUnlock(): void {
    // Still loading (nothing typed yet), or the guard of a page already left.
    if (!this.content.isConnected || this.page === null) return
    const drafts = captureDrafts(this.content)
    // A change saved just before the lock is on the laptop: given back, it could be saved twice.
    for (const id of this.savedNotShown) drafts.delete(id)
    this.rememberSignature()
    keptForUnlock.set(this.caseId, {
      drafts,
      files: this.savedNotShown.includes(ATTACH_INPUT_ID) ? null : (this.fileInput()?.files ?? null),
      panel: this.panel,
      opener: this.opener,
      signatureDrawing: this.signatureDrawing,
    })
  }

  private showLoadError(error: unknown, hadFocus: boolean): void {
    clearLeaveGuard(this.guard)
    const problem = ipcErrorOf(error, 'Doorstep could not read the case.')
    if (problem.code === 'no_such_case') {
      renderInto(this.content, notFoundMarkup())
      this.ctx.setTitle(NOT_FOUND_TITLE)
    } else {
      renderInto(this.content, loadErrorMarkup(problem.message))
      this.ctx.setTitle(LOAD_ERROR_TITLE)
    }
    this.ctx.initComponents(this.content)
    if (hadFocus) this.content.querySelector<HTMLElement>('h1')?.focus()
  }

  /**
   * Renders the case from `this.page`. Values typed on the page survive,
   * or `typed` gives the values to show instead; `forget` lists fields to
   * start empty again.
   */
  private render(options: { focus?: string | null; typed?: Typed; forget?: readonly string[] } = {}): void {
    const page = this.page
    if (page === null) return
    const typed = options.typed ?? { drafts: captureDrafts(this.content), files: this.fileInput()?.files ?? null }
    const drafts = new Map(typed.drafts)
    for (const id of options.forget ?? []) drafts.delete(id)
    const narrativeDraft = drafts.get('narrative')
    drafts.delete('narrative')
    const chosenFiles = options.forget?.includes(ATTACH_INPUT_ID) ? null : typed.files
    this.savedNotShown = []
    this.rememberSignature()
    this.signaturePad?.destroy()
    this.signaturePad = null

    renderInto(
      this.content,
      casePageMarkup({
        page,
        panel: this.panel,
        problems: this.problems,
        leaveBlocked: this.leaveTo !== null,
        previews: this.previews,
        now: new Date(),
        teamLead: this.teamLead,
        reviewSaved: this.reviewSaved,
        reassign: this.team,
        reassignSaved: this.reassignSaved,
        accessRecord: this.teamLead ? this.accessRecord : null,
      }),
    )
    restoreDrafts(this.content, drafts)
    const fileInput = this.fileInput()
    if (fileInput && chosenFiles && chosenFiles.length > 0) fileInput.files = chosenFiles
    this.showRevealedChoices()
    const narrative = this.narrativeField()
    if (narrative) narrative.value = typeof narrativeDraft === 'string' ? narrativeDraft : page.case.narrative
    this.showNarrativeState()
    this.startSignaturePad()

    this.ctx.setTitle(this.title(), { error: this.problems.length > 0 })
    // Each render replaces the page's markup, so its components start afresh.
    this.ctx.initComponents(this.content)
    // The error summary takes focus as it starts; otherwise move focus on purpose.
    if (this.problems.length === 0 && options.focus) this.focus(options.focus)
  }

  private title(): string {
    const view = this.page!.case
    const { heading } = caseHeading(view)
    const reference = view.fields['reference']?.value
    const short = heading.length > 60 ? `${heading.slice(0, 59)}…` : heading
    return typeof reference === 'string' && reference !== '' ? `${reference}: ${short}` : `Case: ${short}`
  }

  private focus(target: string): void {
    const element =
      target === 'heading'
        ? this.content.querySelector<HTMLElement>('h1')
        : this.content.querySelector<HTMLElement>(`#${CSS.escape(target)}`)
    element?.focus()
  }

  // -------------------------------------------------------------------------
  // Narrative and signature
  // -------------------------------------------------------------------------

  private narrativeField(): HTMLTextAreaElement | null {
    return this.content.querySelector<HTMLTextAreaElement>('#narrative')
  }

  private narrativeChanged(): boolean {
    const field = this.narrativeField()
    if (!field || this.page === null) return false
    return normaliseLineEndings(field.value) !== normaliseLineEndings(this.page.case.narrative)
  }

  private showNarrativeState(): void {
    const note = this.content.querySelector<HTMLElement>('#narrative-unsaved')
    if (note) note.hidden = !this.narrativeChanged()
  }

  private startSignaturePad(): void {
    const canvas = this.content.querySelector<HTMLCanvasElement>('#consent-signature-pad')
    if (!canvas) return
    this.signaturePad = attachSignaturePad(canvas)
    if (this.signatureDrawing !== null) this.signaturePad.restore(this.signatureDrawing)
  }

  private rememberSignature(): void {
    if (this.signaturePad) this.signatureDrawing = this.signaturePad.toDataUrl()
  }

  /**
   * GOV.UK's conditional reveal, under the radio chosen: the drawing area or
   * the typed signature, and Reassign's name box for someone else.
   */
  private showRevealedChoices(): void {
    this.content.querySelectorAll<HTMLInputElement>('input[type="radio"]').forEach((radio) => {
      const revealed = radio.getAttribute('aria-controls') ?? radio.dataset['ariaControls']
      const area = revealed === undefined ? null : this.content.querySelector(`#${CSS.escape(revealed)}`)
      area?.classList.toggle('govuk-radios__conditional--hidden', !radio.checked)
    })
  }

  /** A drawn signature as a PNG attachment of the case; resolves to its sha256. */
  private async saveDrawnSignature(pad: SignaturePad): Promise<string> {
    const png = await pad.toPngBlob()
    if (png === null) throw new Error('Doorstep could not read the drawn signature. Try again, or select ‘They type their name’.')
    const date = toDateTimeLocal(new Date()).slice(0, 10)
    return attachFile(this.caseId, new File([png], `signature-${date}.png`, { type: 'image/png' }))
  }

  // -------------------------------------------------------------------------
  // Attachments and pictures
  // -------------------------------------------------------------------------

  private fileInput(): HTMLInputElement | null {
    return this.content.querySelector<HTMLInputElement>(`#${ATTACH_INPUT_ID}`)
  }

  /**
   * Shows a picture stored as an attachment (an image's preview, or a drawn
   * signature), or hides it when it is shown. Focus stays on the button.
   */
  private async togglePicture(key: string, buttonId: string, sha256: string): Promise<void> {
    if (this.previews.get(key)?.kind === 'shown') {
      this.previews.hide(key)
      this.render({ focus: buttonId })
      return
    }
    if (this.loadingPictures.has(key)) return
    this.loadingPictures.add(key)
    let bytes: ArrayBuffer
    try {
      bytes = await attachmentBytes(this.caseId, sha256)
    } catch (error) {
      if (handleLocked(error)) return
      if (!this.stillShown()) return
      const { message } = ipcErrorOf(error, 'Doorstep could not open the file. Try again.')
      this.previews.fail(key, message)
      this.render({ focus: buttonId })
      announce(message)
      return
    } finally {
      this.loadingPictures.delete(key)
    }
    // Gone to another page meanwhile: make no URL that nothing would revoke.
    if (!this.stillShown()) return
    const mediaType = this.page?.case.attachments.find((a) => a.sha256 === sha256)?.mediaType ?? 'image/png'
    this.previews.show(key, bytes, mediaType)
    this.render({ focus: buttonId })
  }

  /**
   * A team lead's access record for the case, from the server there and
   * then. Focus stays on the button; the result is announced. Offline, the
   * section says so and nothing else on the page changes.
   */
  private async showAccessRecord(): Promise<void> {
    if (this.accessRecord.kind === 'asking') return
    this.accessRecord = { kind: 'asking' }
    this.render({ focus: ACCESS_BUTTON_ID })
    let next: AccessRecordState
    try {
      const record = await caseAccessRecord(this.caseId)
      next = { kind: 'shown', entries: record.entries, at: new Date() }
    } catch (error) {
      if (handleLocked(error)) {
        this.accessRecord = NOT_ASKED
        return
      }
      next = { kind: 'failed', failure: accessFailure(error) }
    }
    this.accessRecord = next
    if (!this.stillShown()) return
    // Whatever the lead moved on to while the server answered keeps focus.
    const active = document.activeElement
    const inPage = active !== null && this.content.contains(active)
    this.render({ focus: !inPage ? null : active.tagName === 'H1' ? 'heading' : active.id !== '' ? active.id : null })
    const message = accessResultMessage(next)
    if (message !== null) announce(message)
  }

  // -------------------------------------------------------------------------
  // Events
  // -------------------------------------------------------------------------

  private onClick(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-action]') : null
    if (!target || !this.content.contains(target)) return
    const data = target.dataset
    switch (data['action']) {
      case 'jump':
        // In-page links would replace the route in the address; move focus instead.
        event.preventDefault()
        this.content.querySelector<HTMLElement>(`#${CSS.escape(data['section'] ?? '')}`)?.focus()
        this.content.querySelector<HTMLElement>(`#${CSS.escape(data['section'] ?? '')}`)?.scrollIntoView?.()
        return
      case 'change-field': {
        const path = data['path'] ?? ''
        const field = editableField(path)
        return this.openPanel({ kind: 'change-field', path }, target.id, field?.kind === 'status' ? CHANGE_INPUT_ID : inputIdFor(CHANGE_INPUT_ID, field))
      }
      case 'add-person':
        return this.openPanel({ kind: 'add-person' }, target.id, 'person-name')
      case 'record-consent':
        return this.openPanel({ kind: 'record-consent' }, target.id, 'record-consent-heading')
      case 'correct-note':
        return this.openPanel({ kind: 'correct-note', noteId: data['note'] ?? '' }, target.id, 'correction-text')
      case 'check-in':
        return this.openPanel({ kind: 'check-in', visitId: data['visit'] ?? '' }, target.id, 'check-in-expected-end')
      case 'check-out':
        return this.openPanel({ kind: 'check-out', visitId: data['visit'] ?? '' }, target.id, 'check-out-outcome')
      case 'confirm-submit':
        return this.openPanel({ kind: 'confirm-submit' }, target.id, 'confirm-submit-heading')
      case 'cancel':
        return this.closePanel()
      case 'clear-signature':
        this.signaturePad?.clear()
        this.signatureDrawing = null
        return
      case 'preview-attachment': {
        const sha = data['sha'] ?? ''
        void this.togglePicture(attachmentPreviewKey(sha), target.id, sha)
        return
      }
      case 'show-signature': {
        const consentId = data['consent'] ?? ''
        const record = this.page?.case.consents.find((c) => c.id === consentId)
        const sha = record ? itemText(record, 'signature_attachment') : null
        if (sha !== null) void this.togglePicture(signaturePreviewKey(consentId), target.id, sha)
        return
      }
      case 'show-access-record':
        void this.showAccessRecord()
        return
      case 'toggle-task': {
        const taskId = data['task'] ?? ''
        const done = data['done'] === 'yes' ? 'yes' : 'no'
        void this.runSave({ save: () => setField(this.caseId, `tasks.${taskId}.done`, done), inputFor: () => undefined, focusAfter: target.id }, [])
        return
      }
      case 'discard-and-leave': {
        const to = this.leaveTo
        const field = this.narrativeField()
        if (field && this.page) field.value = this.page.case.narrative
        this.leaveTo = null
        if (to !== null) this.ctx.navigate(to)
        return
      }
      case 'retry-load':
        renderInto(this.content, loadingMarkup())
        this.content.querySelector<HTMLElement>('h1')?.focus()
        setLeaveGuard(this.guard)
        void this.load()
        return
    }
  }

  private openPanel(panel: Panel, openerId: string, focusId: string): void {
    const forget = idsWithin(this.content.querySelector('[data-panel]'))
    if (panel.kind !== 'record-consent') this.signatureDrawing = null
    this.reviewSaved = null
    this.reassignSaved = null
    this.panel = panel
    this.opener = openerId
    this.problems = []
    this.render({ forget, focus: focusId })
  }

  private closePanel(): void {
    const forget = idsWithin(this.content.querySelector('[data-panel]'))
    const opener = this.opener
    this.panel = null
    this.opener = null
    this.problems = []
    this.signaturePad = null
    this.signatureDrawing = null
    this.render({ forget, focus: opener })
  }

  private onSubmit(event: SubmitEvent): void {
    // Rust saves; there is nowhere to post to (and the CSP forbids it).
    event.preventDefault()
    const form = event.target
    if (!(form instanceof HTMLFormElement) || this.page === null) return
    const submission = this.submissionFor(form)
    if (submission === null) return
    const forget = [...form.elements].map((element) => element.id).filter(Boolean)
    if ('problems' in submission) {
      if (submission.problems.length > 0) {
        this.problems = submission.problems
        this.render()
      }
      return
    }
    const continueTo = event.submitter instanceof HTMLElement && event.submitter.dataset['continue'] === 'yes' ? this.leaveTo : null
    void this.runSave(submission, forget, continueTo)
  }

  private async runSave(
    submission: Extract<Submission, { save: unknown }>,
    forget: readonly string[],
    continueTo: string | null = null,
  ): Promise<void> {
    if (this.busy) return
    this.busy = true
    // The banners are about the last change; any other change makes them old news.
    this.reviewSaved = null
    this.reassignSaved = null
    try {
      await submission.save()
    } catch (error) {
      // Not saved: the typing is still on the page, which keeps it through the lock.
      if (handleLocked(error)) return
      if (!this.stillShown()) return
      const problem = ipcErrorOf(error, 'Doorstep could not save the change. Try again.')
      const fieldId =
        submission.errorsAt ?? (problem.code === 'invalid_field' && problem.field !== undefined ? submission.inputFor(problem.field) : undefined)
      this.problems = [fieldId === undefined ? { text: problem.message } : { text: problem.message, fieldId }]
      this.render()
      return
    } finally {
      this.busy = false
    }
    // The change is stored; the nudge only tells the background sync to
    // send it sooner, so a failure here loses nothing and is not shown.
    changeSaved().catch(() => {})
    this.savedNotShown = forget
    this.panel = null
    this.opener = null
    this.problems = []
    this.signatureDrawing = null
    if (continueTo !== null) {
      this.leaveTo = null
      announce(SAVED_MESSAGE)
      this.ctx.navigate(continueTo)
      return
    }
    this.leaveTo = null
    let page: CasePage
    try {
      page = await showCase(this.caseId)
    } catch (error) {
      if (handleLocked(error)) return
      if (this.stillShown()) this.showLoadError(error, true)
      return
    }
    await this.learnRole(page)
    await this.learnTeam()
    if (!this.stillShown()) return
    this.page = page
    this.previews.keepOnly(pictureKeys(page.case))
    this.render({ forget, focus: submission.focusAfter })
    announce(SAVED_MESSAGE)
  }

  // -------------------------------------------------------------------------
  // Forms: what each one checks and saves
  // -------------------------------------------------------------------------

  private submissionFor(form: HTMLFormElement): Submission | null {
    const id = this.caseId
    switch (form.dataset['form']) {
      case 'change-field':
        return this.changeField(form, form.dataset['path'] ?? '')
      case 'add-person':
        return this.addPerson(form)
      case 'add-note': {
        const text = readText(form, 'note-text').trim()
        if (text === '') return { problems: [{ text: 'Enter the note', fieldId: 'note-text' }] }
        return { save: () => addNote(id, text), inputFor: () => 'note-text', focusAfter: 'note-text' }
      }
      case 'correct-note': {
        const noteId = form.dataset['note'] ?? ''
        const text = readText(form, 'correction-text').trim()
        const current = this.page?.case.notes.find((n) => n.id === noteId)?.text.trim()
        if (text === '') return { problems: [{ text: 'Enter the corrected note', fieldId: 'correction-text' }] }
        if (text === current) {
          return { problems: [{ text: 'The corrected note is the same as the note. Change the wording, or cancel', fieldId: 'correction-text' }] }
        }
        return { save: () => editNote(id, noteId, text), inputFor: () => 'correction-text', focusAfter: `correct-${noteId}` }
      }
      case 'narrative': {
        const text = this.narrativeField()?.value ?? ''
        return { save: () => setNarrative(id, text), inputFor: () => 'narrative', focusAfter: 'narrative' }
      }
      case 'add-task':
        return this.addTask(form)
      case 'plan-visit': {
        const value = readText(form, 'visit-planned-at')
        const plannedAt = instantFromDateTimeLocal(value)
        if (plannedAt === null) {
          const text = value.trim() === '' ? 'Enter the date and time of the visit' : 'Enter the date and time of the visit in full, including the time'
          return { problems: [{ text, fieldId: 'visit-planned-at' }] }
        }
        return { save: () => addItem(id, 'visit', { planned_at: plannedAt }), inputFor: () => 'visit-planned-at', focusAfter: 'case-visits' }
      }
      case 'check-in': {
        const visitId = form.dataset['visit'] ?? ''
        const value = readText(form, 'check-in-expected-end')
        const expectedEnd = instantFromDateTimeLocal(value)
        if (expectedEnd === null) {
          return { problems: [{ text: 'Enter when you expect the visit to end, including the time', fieldId: 'check-in-expected-end' }] }
        }
        if (new Date(expectedEnd).getTime() <= Date.now()) {
          return { problems: [{ text: 'The expected end must be later than now', fieldId: 'check-in-expected-end' }] }
        }
        return { save: () => checkIn(id, visitId, expectedEnd), inputFor: () => 'check-in-expected-end', focusAfter: `check-out-${visitId}` }
      }
      case 'check-out': {
        const visitId = form.dataset['visit'] ?? ''
        const outcome = readText(form, 'check-out-outcome').trim()
        if (outcome === '') return { problems: [{ text: 'Enter the outcome of the visit', fieldId: 'check-out-outcome' }] }
        return { save: () => checkOut(id, visitId, outcome), inputFor: () => 'check-out-outcome', focusAfter: `visit-${visitId}` }
      }
      case 'record-consent':
        return this.recordConsent(form)
      case 'attach-file':
        return this.attachFile(form)
      case 'submit-for-review':
        return { save: () => submitForReview(id), inputFor: () => undefined, focusAfter: 'case-review' }
      case 'review-case':
        return this.decideReview(form)
      case 'reassign':
        return this.reassign(form)
      default:
        return null
    }
  }

  private decideReview(form: HTMLFormElement): Submission {
    const choice = readChoice(form, REVIEW_DECISION_ID)
    const comment = readText(form, REVIEW_COMMENT_ID).trim()
    if (choice !== 'approved' && choice !== 'returned') {
      return { problems: [{ text: CHOOSE_DECISION_MESSAGE, fieldId: REVIEW_DECISION_ID }] }
    }
    if (choice === 'returned' && comment === '') {
      return { problems: [{ text: RETURN_NEEDS_COMMENT_MESSAGE, fieldId: REVIEW_COMMENT_ID }] }
    }
    return {
      save: async () => {
        await reviewCase(this.caseId, choice, comment)
        this.reviewSaved = choice
      },
      // Rust names the comment box `comment` (a comment too long, or missing on a return).
      inputFor: (rustField) => (fieldNameFromRust(rustField) === 'comment' ? REVIEW_COMMENT_ID : undefined),
      focusAfter: REVIEW_SAVED_ID,
    }
  }

  private reassign(form: HTMLFormElement): Submission {
    const from = textOf(this.page?.case.fields['assigned_to'])
    const reading = readReassignment(form, from)
    if ('problems' in reading) return reading
    return {
      save: async () => {
        await setField(this.caseId, 'assigned_to', reading.name)
        this.reassignSaved = { to: reading.name, from }
      },
      // Rust's objection to the name (too long, say) belongs to whichever control gave it.
      inputFor: (rustField) => (fieldNameFromRust(rustField) === 'assigned_to' ? reading.inputId : undefined),
      focusAfter: REASSIGN_SAVED_ID,
    }
  }

  private changeField(form: HTMLFormElement, path: string): Submission {
    const field = editableField(path)
    if (field === undefined) return { problems: [{ text: 'This detail cannot be changed here' }] }
    const inputId = inputIdFor(CHANGE_INPUT_ID, field)
    let value: string
    if (field.kind === 'date') {
      const reading = readDate(readDateParts(form, CHANGE_INPUT_ID), field.label)
      if (reading.kind === 'invalid') return { problems: [{ text: reading.message, fieldId: inputId }] }
      value = reading.kind === 'date' ? reading.isoDate : ''
    } else if (field.kind === 'status') {
      value = readChoice(form, CHANGE_INPUT_ID) ?? ''
    } else {
      value = readText(form, CHANGE_INPUT_ID).trim()
    }
    if (field.required && value === '') return { problems: [{ text: requiredMessage(field), fieldId: inputId }] }
    return { save: () => setField(this.caseId, path, value), inputFor: () => inputId, focusAfter: changeButtonId(path) }
  }

  private addPerson(form: HTMLFormElement): Submission {
    const problems: FieldProblem[] = []
    const values: Record<string, string> = {}
    for (const field of PERSON_FIELDS.filter((f) => f.askWhenAdding)) {
      const id = `person-${idPart(field.name)}`
      if (field.kind === 'date') {
        const reading = readDate(readDateParts(form, id), field.label)
        if (reading.kind === 'invalid') problems.push({ text: reading.message, fieldId: `${id}-day` })
        else if (reading.kind === 'date') values[field.name] = reading.isoDate
        if (reading.kind === 'date' && field.name === 'date_of_birth' && reading.isoDate > new Date().toISOString().slice(0, 10)) {
          problems.push({ text: 'Date of birth must be in the past', fieldId: `${id}-day` })
        }
      } else {
        const value = readText(form, id).trim()
        if (value !== '') values[field.name] = value
        else if (field.required) problems.push({ text: requiredMessage(field), fieldId: id })
      }
    }
    if (problems.length > 0) return { problems }
    const person: PersonInput = { name: values['name'] ?? '' }
    const optional = {
      dateOfBirth: values['date_of_birth'],
      nhsNumber: values['nhs_number'],
      niNumber: values['ni_number'],
      address: values['address'],
      postcode: values['postcode'],
      phone: values['phone'],
      email: values['email'],
      relationship: values['relationship'],
    }
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (person as unknown as Record<string, string>)[key] = value
    }
    return {
      save: () => addPerson(this.caseId, person),
      inputFor: (rustField) => {
        const field = PERSON_FIELDS.find((f) => f.name === fieldNameFromRust(rustField) && f.askWhenAdding)
        return field === undefined ? undefined : inputIdFor(`person-${idPart(field.name)}`, field)
      },
      focusAfter: 'case-people',
    }
  }

  private addTask(form: HTMLFormElement): Submission {
    const problems: FieldProblem[] = []
    const title = readText(form, 'task-title').trim()
    if (title === '') problems.push({ text: 'Enter the task', fieldId: 'task-title' })
    const due = readDate(readDateParts(form, 'task-due-date'), 'Due date')
    if (due.kind === 'invalid') problems.push({ text: due.message, fieldId: 'task-due-date-day' })
    if (problems.length > 0) return { problems }
    const fields: Record<string, string> = { title }
    if (due.kind === 'date') fields['due_date'] = due.isoDate
    return {
      save: () => addItem(this.caseId, 'task', fields),
      inputFor: (rustField) => (fieldNameFromRust(rustField) === 'due_date' ? 'task-due-date-day' : 'task-title'),
      focusAfter: 'task-title',
    }
  }

  private attachFile(form: HTMLFormElement): Submission {
    const input = form.elements.namedItem(ATTACH_INPUT_ID)
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined
    // GOV.UK's file upload messages. Rust checks the size again.
    if (file === undefined) return { problems: [{ text: 'Select a file', fieldId: ATTACH_INPUT_ID }] }
    if (file.size === 0) return { problems: [{ text: 'The selected file is empty', fieldId: ATTACH_INPUT_ID }] }
    if (file.size > MAX_ATTACHMENT_BYTES) return { problems: [{ text: 'The selected file must be smaller than 50MB', fieldId: ATTACH_INPUT_ID }] }
    return {
      save: () => attachFile(this.caseId, file),
      inputFor: () => ATTACH_INPUT_ID,
      errorsAt: ATTACH_INPUT_ID,
      focusAfter: 'case-attachments',
    }
  }

  private recordConsent(form: HTMLFormElement): Submission {
    const problems: FieldProblem[] = []
    const hasPeopleList = form.querySelector('#consent-person') !== null
    const choice = hasPeopleList ? readChoice(form, 'consent-person') : SOMEONE_ELSE
    const otherName = readText(form, 'consent-person-other').trim()
    let person = ''
    if (choice === null) {
      problems.push({ text: 'Select who the consent is from', fieldId: 'consent-person' })
    } else if (choice === SOMEONE_ELSE) {
      if (otherName === '') problems.push({ text: 'Enter the full name of the person the consent is from', fieldId: 'consent-person-other' })
      person = otherName
    } else {
      person = choice
    }
    const purpose = readText(form, 'consent-purpose').trim()
    if (purpose === '') problems.push({ text: 'Enter what the consent is for', fieldId: 'consent-purpose' })
    const decision = readChoice(form, 'consent-decision')
    if (decision === null) problems.push({ text: 'Select whether consent was given, refused or withdrawn', fieldId: 'consent-decision' })
    // Only the way of signing that was chosen counts: the other is hidden.
    const method = readChoice(form, SIGNATURE_METHOD_ID)
    const pad = method === 'drawn' && this.signaturePad?.hasDrawing() ? this.signaturePad : null
    const typedSignature = method === 'typed' ? readText(form, 'consent-typed-signature').trim() : ''
    if (decision === 'given') {
      if (method === null) {
        problems.push({ text: 'Select how the person is signing', fieldId: SIGNATURE_METHOD_ID })
      } else if (method === 'drawn' && pad === null) {
        problems.push({ text: 'Ask the person to draw their signature in the box, or select ‘They type their name’', fieldId: SIGNATURE_METHOD_ID })
      } else if (method === 'typed' && typedSignature === '') {
        problems.push({ text: 'Enter a typed signature to record that consent was given', fieldId: 'consent-typed-signature' })
      }
    }
    if (problems.length > 0) return { problems }

    const fields: Record<string, string> = {
      person,
      purpose,
      decision: decision!,
      recorded_at: new Date().toISOString(),
    }
    if (typedSignature !== '') fields['typed_signature'] = typedSignature
    const inputs: Record<string, string> = {
      person: hasPeopleList ? 'consent-person' : 'consent-person-other',
      purpose: 'consent-purpose',
      decision: 'consent-decision',
      typed_signature: 'consent-typed-signature',
      signature_attachment: SIGNATURE_METHOD_ID,
      // attach_file's field, when the drawing could not be stored.
      file: SIGNATURE_METHOD_ID,
    }
    return {
      save: async () => {
        // The drawing is stored first, so the consent record names it.
        if (pad !== null) fields['signature_attachment'] = await this.saveDrawnSignature(pad)
        return addItem(this.caseId, 'consent', fields)
      },
      inputFor: (rustField) => inputs[fieldNameFromRust(rustField)],
      focusAfter: 'case-consent',
    }
  }
}

export const casePageView: View = {
  title: 'Case',
  render(container, ctx) {
    const caseId = ctx.params?.['id'] ?? ''
    new CasePageController(container, ctx, caseId).start()
  },
}
