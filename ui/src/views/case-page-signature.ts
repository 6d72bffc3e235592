// A drawing area for a signature, with mouse, pen or finger (pointer
// events). It is an extra, never the only way to sign: the consent form
// offers a typed signature as the keyboard and screen-reader path, and the
// canvas itself is hidden from assistive technology.
//
// When the person chose to draw, the consent form saves the drawing as a PNG
// attachment (`toPngBlob`) and records its sha256 in the consent's
// `signature_attachment` field.

export interface SignaturePad {
  /** True once something has been drawn since the last clear. */
  hasDrawing(): boolean
  /** The drawing as a PNG data URL, or null when it is blank. */
  toDataUrl(): string | null
  /** The drawing as a PNG file's bytes, or null when it is blank or the browser could not encode it. */
  toPngBlob(): Promise<Blob | null>
  /** Draws a saved PNG back, after the page was rendered again. */
  restore(dataUrl: string): void
  clear(): void
  destroy(): void
}

const STROKE_WIDTH = 3

export function attachSignaturePad(canvas: HTMLCanvasElement, onChange: () => void = () => {}): SignaturePad {
  // Null where there is no 2D canvas (some test DOMs): the typed signature still works.
  const context = canvas.getContext('2d')
  let drawing = false
  let drawn = false
  let last: { x: number; y: number } | null = null

  // The canvas is scaled by CSS to fit narrow windows; map the pointer back
  // to the canvas's own pixels.
  function point(event: PointerEvent): { x: number; y: number } {
    const box = canvas.getBoundingClientRect()
    const scaleX = box.width > 0 ? canvas.width / box.width : 1
    const scaleY = box.height > 0 ? canvas.height / box.height : 1
    return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY }
  }

  function line(from: { x: number; y: number }, to: { x: number; y: number }): void {
    if (!context) return
    context.strokeStyle = '#0b0c0c'
    context.lineWidth = STROKE_WIDTH
    context.lineCap = 'round'
    context.lineJoin = 'round'
    context.beginPath()
    context.moveTo(from.x, from.y)
    context.lineTo(to.x, to.y)
    context.stroke()
  }

  function onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return
    event.preventDefault()
    drawing = true
    last = point(event)
    // A tap makes a dot.
    line(last, { x: last.x + 0.1, y: last.y + 0.1 })
    canvas.setPointerCapture?.(event.pointerId)
  }

  function onPointerMove(event: PointerEvent): void {
    if (!drawing || last === null) return
    const next = point(event)
    line(last, next)
    last = next
    if (!drawn) {
      drawn = true
      onChange()
    }
  }

  function onPointerUp(event: PointerEvent): void {
    if (!drawing) return
    drawing = false
    last = null
    drawn = true
    canvas.releasePointerCapture?.(event.pointerId)
    onChange()
  }

  canvas.addEventListener('pointerdown', onPointerDown)
  canvas.addEventListener('pointermove', onPointerMove)
  canvas.addEventListener('pointerup', onPointerUp)
  canvas.addEventListener('pointercancel', onPointerUp)

  return {
    hasDrawing: () => drawn,
    toDataUrl: () => (drawn && context ? canvas.toDataURL('image/png') : null),
    toPngBlob: () => (drawn ? new Promise((resolve) => canvas.toBlob(resolve, 'image/png')) : Promise.resolve(null)),
    restore(dataUrl) {
      if (!context) return
      const image = new Image()
      image.addEventListener('load', () => context.drawImage(image, 0, 0))
      image.src = dataUrl
      drawn = true
    },
    clear() {
      context?.clearRect(0, 0, canvas.width, canvas.height)
      drawn = false
      onChange()
    },
    destroy() {
      canvas.removeEventListener('pointerdown', onPointerDown)
      canvas.removeEventListener('pointermove', onPointerMove)
      canvas.removeEventListener('pointerup', onPointerUp)
      canvas.removeEventListener('pointercancel', onPointerUp)
    },
  }
}
