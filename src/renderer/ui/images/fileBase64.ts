/** A picked file as base64 (no data: prefix), for images.addData. */
export function fileBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error(`Cannot read ${file.name}`));
    r.readAsDataURL(file);
  });
}
