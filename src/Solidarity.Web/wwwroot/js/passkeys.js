// Passkeys: asks the browser to make one (account page) or to use one (sign-in page). A form marked data-passkey
// fetches its options from the server (with the form's antiforgery token), hands them to navigator.credentials, and
// posts the answer back in its hidden field. Without support the page says so; without JavaScript the form still posts
// and the server answers in words that no passkey was made.
(() => {
  const supported = () =>
    typeof window.PublicKeyCredential === 'function' &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function' &&
    !!navigator.credentials;

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const creating = form.dataset.passkey === 'create';
    const message = form.querySelector('[data-passkey-message]');
    const credential = form.querySelector('[data-passkey-credential]');
    const button = form.querySelector('button[type="submit"]');

    const say = (text) => {
      message.textContent = text;
      message.hidden = false;
    };

    if (!supported()) {
      form.querySelector('[data-passkey-unsupported]').hidden = false;
      button.disabled = true;
      continue;
    }

    let answered = false;
    form.addEventListener('submit', async (event) => {
      if (answered) return;
      event.preventDefault();
      message.hidden = true;
      button.disabled = true;
      try {
        const token = form.querySelector('input[name="__RequestVerificationToken"]');
        const body = new FormData();
        if (token) body.append(token.name, token.value);
        const response = await fetch(form.dataset.passkeyOptions, { method: 'POST', body, credentials: 'same-origin' });
        if (!response.ok) throw new Error('options');
        const options = await response.json();
        const result = creating
          ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
          : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        if (!result) throw new Error('none');
        credential.value = JSON.stringify(result);
        answered = true;
        form.submit();
      } catch (error) {
        button.disabled = false;
        say(error && error.name === 'NotAllowedError'
          ? 'The passkey was not used: it was cancelled, or took too long. Try again.'
          : creating
            ? 'No passkey was made. Reload the page and try again.'
            : 'Signing in with a passkey did not work. Reload the page and try again, or use your password.');
      }
    });
  }
})();
