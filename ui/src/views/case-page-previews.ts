// Pictures shown on the case page: previews of image attachments and drawn
// signatures on consent records. Their bytes stay inside Rust's encrypted
// store until the person asks to see one (Rust records each opening in the
// case's audit log), and are then shown through a `blob:` URL, which the
// CSP allows for images.
//
// A blob URL keeps its bytes in memory until it is revoked, so this keeps
// every URL it made and revokes it once the picture is hidden, its
// attachment is gone from the case, or the person leaves the page.

/** What is shown in one place on the page. */
export type PreviewState = { kind: 'shown'; url: string } | { kind: 'failed'; message: string }

/** Where a picture is shown: an attachment's preview, or a consent record's signature. */
export const attachmentPreviewKey = (sha256: string): string => `attachment:${sha256}`
export const signaturePreviewKey = (consentId: string): string => `signature:${consentId}`

export class Previews {
  private readonly states = new Map<string, PreviewState>()

  get(key: string): PreviewState | undefined {
    return this.states.get(key)
  }

  get size(): number {
    return this.states.size
  }

  /** Shows `bytes` at `key`, replacing (and revoking) what was there. */
  show(key: string, bytes: ArrayBuffer, mediaType: string): void {
    this.hide(key)
    this.states.set(key, { kind: 'shown', url: URL.createObjectURL(new Blob([bytes], { type: mediaType })) })
  }

  fail(key: string, message: string): void {
    this.hide(key)
    this.states.set(key, { kind: 'failed', message })
  }

  hide(key: string): void {
    const state = this.states.get(key)
    if (state?.kind === 'shown') URL.revokeObjectURL(state.url)
    this.states.delete(key)
  }

  /** Forgets every picture whose key is not in `keys`: its attachment or consent record has gone. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of [...this.states.keys()]) if (!keys.has(key)) this.hide(key)
  }

  clear(): void {
    for (const key of [...this.states.keys()]) this.hide(key)
  }
}
