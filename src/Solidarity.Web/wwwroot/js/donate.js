// Keeps the preset amounts and the typed amount exclusive, shows the fee estimate and total as the supporter chooses,
// and sends the form once however often it is pressed. The form works without it: the server computes both on every
// post.
(() => {
  const form = document.getElementById('donate-form');
  if (!form) return;

  const basisPoints = Number(form.dataset.feeBasisPoints);
  const fixedPence = Number(form.dataset.feeFixedPence);
  const presets = [...form.querySelectorAll('input[name="Input.Preset"]')];
  const other = document.getElementById('other-amount');
  const coverFee = document.getElementById('cover-fee');
  const feeEstimate = document.getElementById('fee-estimate');
  const total = document.getElementById('charge-total');
  const frequencies = [...form.querySelectorAll('input[name="Input.Frequency"]')];
  const perMonth = () => (frequencies.find(f => f.checked)?.value === 'monthly' ? ' a month' : '');
  const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

  const amountPence = () => {
    const typed = other.value.trim().replace(/^£\s*/, '');
    if (typed !== '') {
      // As the server reads it (Money.TryParsePounds): commas only between groups of three ("1,000"), never before
      // pence ("12,50" is no amount, not £1,250).
      return /^(\d+|\d{1,3}(,\d{3})+)(\.\d{1,2})?$/.test(typed) ? Math.round(Number(typed.replace(/,/g, '')) * 100) : null;
    }
    const chosen = presets.find(p => p.checked);
    return chosen ? Number(chosen.value) : null;
  };

  const update = () => {
    const amount = amountPence();
    if (amount === null || amount < 100 || amount > 1000000) {
      feeEstimate.textContent = 'add about';
      total.textContent = '';
      return;
    }
    // FeeEstimator.CoverFor: Stripe's fee is taken from the whole charge, so the charge is grossed up,
    // ceil((gift + fixed) / (1 - rate)). The server works this out again on every post; its figure is the one charged.
    const remainder = 10000 - basisPoints;
    const fee = Math.floor(((amount + fixedPence) * 10000 + remainder - 1) / remainder) - amount;
    feeEstimate.textContent = `add ${pounds.format(fee / 100)}`;
    total.textContent = `You will pay ${pounds.format((amount + (coverFee.checked ? fee : 0)) / 100)}${perMonth()}.`;
  };

  other.addEventListener('input', () => {
    if (other.value.trim() !== '') presets.forEach(p => { p.checked = false; });
    update();
  });
  presets.forEach(p => p.addEventListener('change', () => { other.value = ''; update(); }));
  coverFee.addEventListener('change', update);
  frequencies.forEach(f => f.addEventListener('change', update));
  update();

  // A second press while the first is on its way to payment (a double click, an impatient tap) would make a second
  // donation and Checkout session: only the first is sent. Coming back from the payment page starts afresh.
  let sent = false;
  form.addEventListener('submit', event => {
    if (sent) {
      event.preventDefault();
      return;
    }
    sent = true;
  });
  window.addEventListener('pageshow', () => { sent = false; });
})();
