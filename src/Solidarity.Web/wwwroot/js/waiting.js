// A page waiting for the payment provider (a thank-you page before Stripe has confirmed, or before the receipt is
// ready) asks for itself again every few seconds, and replaces only its waiting part when that has changed. The page is
// never reloaded, so a screen reader keeps its place and hears the change (the part is a polite live region), and the
// keyboard's focus stays where it was. It stops when the fresh part no longer waits, or after a few minutes; without
// script the page offers a link to check again.
(() => {
  // Razor writes a data- attribute even when its value is null: an empty one means the part no longer waits.
  const part = document.querySelector('[data-waiting-seconds]:not([data-waiting-seconds=""])');
  if (!part) return;
  const seconds = Number(part.dataset.waitingSeconds) || 3;
  let tries = Number(part.dataset.waitingTries) || 100;

  const check = async () => {
    tries -= 1;
    let waiting = true;
    try {
      const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
        const freshPart = fresh.getElementById(part.id);
        if (freshPart) {
          if (freshPart.innerHTML !== part.innerHTML) {
            part.innerHTML = freshPart.innerHTML;
            document.title = fresh.title;
          }
          waiting = Boolean(freshPart.dataset.waitingSeconds);
        }
      }
    } catch {
      // Offline for a moment: the next check tries again.
    }
    if (waiting && tries > 0) {
      window.setTimeout(check, seconds * 1000);
    }
  };

  window.setTimeout(check, seconds * 1000);
})();
