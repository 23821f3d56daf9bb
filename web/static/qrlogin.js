/* dinhdanh: the login page's QR sign-in. Polls the status URL of the panel
 * every 2 s; on "approved" submits the finish form (the same form the
 * no-script button posts); on "denied" or "expired" shows that message.
 * No inline script, no eval: loaded as a file under script-src 'self'. */
'use strict';
(function () {
  var panel = document.getElementById('qr-login');
  var form = document.getElementById('qr-finish');
  var timer = null;
  var busy = false;

  if (!panel || !form || !window.fetch) {
    return;
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  function show(id) {
    var el = document.getElementById(id);
    var pending = document.getElementById('qr-pending');

    stop();
    if (pending) {
      pending.hidden = true;
    }
    panel.classList.add('qr-done');
    if (el) {
      el.hidden = false;
    }
  }

  function answer(status) {
    if (status === 'approved') {
      stop();
      form.submit();
    } else if (status === 'denied') {
      show('qr-denied');
    } else if (status === 'expired') {
      show('qr-expired');
    }
  }

  function poll() {
    if (busy) {
      return;
    }
    busy = true;
    fetch(panel.getAttribute('data-status'), {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Accept': 'application/json' }
    }).then(function (r) {
      return r.ok ? r.json() : { status: r.status === 404 ? 'expired' : '' };
    }).then(function (j) {
      busy = false;
      answer(j && j.status);
    }).catch(function () {
      busy = false;
    });
  }

  timer = setInterval(poll, 2000);
})();
