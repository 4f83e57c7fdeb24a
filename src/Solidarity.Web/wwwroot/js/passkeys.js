// Passkeys: asks the browser to make one (account page, invitation) or to use one (sign-in and two-factor pages). A
// form marked data-passkey is all about the passkey; a submit button marked data-passkey belongs to a bigger form (an
// invitation's password and second factor) and only pressing it makes a passkey, within its [data-passkey-scope].
// Either fetches its options from the server, posting the form's fields (its antiforgery token, and what the page may
// check before the device is asked: an invitation's password), hands them to navigator.credentials, and posts the
// answer back in the hidden field, through the same button. Where the server answers 422, the form has something to
// fix first: it is posted as it is, and the page says what. Without support the page says so; without JavaScript the
// form still posts and the server answers in words that no passkey was made.
(() => {
  const supported = () =>
    typeof window.PublicKeyCredential === 'function' &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function' &&
    !!navigator.credentials;

  const triggers = [
    ...Array.from(document.querySelectorAll('form[data-passkey]'), (form) => ({
      form,
      source: form,
      scope: form,
      button: form.querySelector('button[type="submit"]'),
    })),
    ...Array.from(document.querySelectorAll('button[data-passkey]'), (button) => ({
      form: button.form,
      source: button,
      scope: button.closest('[data-passkey-scope]') || button.form,
      button,
    })),
  ];

  for (const { form, source, scope, button } of triggers) {
    const creating = source.dataset.passkey === 'create';
    const message = scope.querySelector('[data-passkey-message]');
    const credential = scope.querySelector('[data-passkey-credential]');

    const say = (text) => {
      message.textContent = text;
      message.hidden = false;
    };

    if (!supported()) {
      scope.querySelector('[data-passkey-unsupported]').hidden = false;
      button.disabled = true;
      continue;
    }

    let answered = false;
    const send = () => {
      answered = true;
      button.disabled = false;
      form.requestSubmit(button);
    };

    const run = async () => {
      message.hidden = true;
      button.disabled = true;
      try {
        const response = await fetch(source.dataset.passkeyOptions, {
          method: 'POST',
          body: new FormData(form),
          credentials: 'same-origin',
        });
        if (response.status === 422) {
          send();
          return;
        }
        if (!response.ok) throw new Error('options');
        const options = await response.json();
        const result = creating
          ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
          : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        if (!result) throw new Error('none');
        credential.value = JSON.stringify(result);
        send();
      } catch (error) {
        button.disabled = false;
        say(error && error.name === 'NotAllowedError'
          ? 'The passkey was not used: it was cancelled, or took too long. Try again.'
          : creating
            ? 'No passkey was made. Reload the page and try again.'
            : 'Using the passkey did not work. Reload the page and try again.');
      }
    };

    if (source === form) {
      form.addEventListener('submit', (event) => {
        if (answered) return;
        event.preventDefault();
        run();
      });
    } else {
      button.addEventListener('click', (event) => {
        if (answered) return;
        event.preventDefault();
        run();
      });
    }
  }
})();
