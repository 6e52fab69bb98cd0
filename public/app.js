// Fleetdeck's only hand-written script. No eval, no inline code, nothing the page needs to work:
// every behaviour here improves a page that already works without JavaScript.
// - keyboard: `/` focuses search; `j`/`k` move the row focus; Enter opens the focused row
// - a click anywhere on a table row opens it (the name link stays the keyboard and no-JS path)
// - outcomes of htmx actions: refusals shown in place and announced; focus kept on the row
// - history: one entry per settled search, not one per keystroke
// - forms: focus the first error after a full-page 422; fill a form again after step-up
// - copy buttons (`data-copy`)
// - the customer picker in the top bar: Close and Escape
;(function () {
  'use strict'

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    )
  }

  // ---------------------------------------------------------------- announcements

  var announceTimer = 0

  /** Says `text` through the layout's polite live region (one per page, `#live-region`). */
  function announce(text) {
    var region = document.getElementById('live-region')
    if (!region || !text) return
    // Emptying first makes a repeated message a change that screen readers read again.
    region.textContent = ''
    clearTimeout(announceTimer)
    announceTimer = setTimeout(function () {
      region.textContent = text
    }, 50)
  }

  // ---------------------------------------------------------------- keyboard and rows

  function rows() {
    return Array.prototype.slice.call(
      document.querySelectorAll('[data-keyboard-table] tbody tr[data-href]'),
    )
  }

  function focusRow(delta) {
    var list = rows()
    if (list.length === 0) return
    var current = list.indexOf(
      document.activeElement && document.activeElement.closest('tr[data-href]'),
    )
    var next =
      current === -1
        ? delta > 0
          ? 0
          : list.length - 1
        : Math.min(list.length - 1, Math.max(0, current + delta))
    list.forEach(function (row) {
      row.removeAttribute('aria-selected')
    })
    list[next].setAttribute('aria-selected', 'true')
    list[next].focus()
    list[next].scrollIntoView({ block: 'nearest' })
  }

  document.addEventListener('keydown', function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey) return
    if (event.key === 'Escape' && typing(event.target)) {
      event.target.blur()
      return
    }
    if (typing(event.target)) return
    if (event.key === '/') {
      var search = document.querySelector('[data-search]')
      if (search) {
        event.preventDefault()
        search.focus()
        search.select && search.select()
      }
    } else if (event.key === 'j') {
      focusRow(1)
    } else if (event.key === 'k') {
      focusRow(-1)
    } else if (event.key === 'Enter') {
      var row =
        document.activeElement &&
        document.activeElement.closest &&
        document.activeElement.closest('tr[data-href]')
      if (row && document.activeElement === row) {
        event.preventDefault()
        window.location.assign(row.getAttribute('data-href'))
      }
    }
  })

  // A click on a row's plain cells opens it; links, buttons and fields keep their own meaning,
  // and selecting text (to copy a slug) is not a click.
  document.addEventListener('click', function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return
    var target = event.target
    if (!(target instanceof Element)) return
    var row = target.closest('[data-keyboard-table] tbody tr[data-href]')
    if (!row || target.closest('a, button, input, select, textarea, label, form, summary')) return
    var selection = window.getSelection && window.getSelection()
    if (selection && String(selection).length > 0) return
    window.location.assign(row.getAttribute('data-href'))
  })

  // ---------------------------------------------------------------- copy buttons

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element && event.target.closest('[data-copy]')
    if (!button) return
    var text = button.getAttribute('data-copy')
    var source = document.getElementById(button.getAttribute('data-copy-source') || '')
    function selectSource() {
      if (!source) return
      var range = document.createRange()
      range.selectNodeContents(source)
      var selection = window.getSelection()
      selection.removeAllRanges()
      selection.addRange(range)
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () {
          button.setAttribute('data-copied', 'true')
          announce('Copied ' + text + ' to the clipboard.')
        },
        function () {
          selectSource()
          announce('Copying was refused by the browser; the text is selected, press Ctrl+C.')
        },
      )
    } else {
      // Plain http outside localhost has no clipboard API: select the text for Ctrl+C instead.
      selectSource()
      announce('The text is selected; press Ctrl+C to copy it.')
    }
  })

  // ---------------------------------------------------------------- htmx outcomes

  /** The words of an error answer: the alert of a fragment, or an error page's message and id. */
  function errorText(xhr) {
    var status = xhr ? xhr.status : 0
    if (!xhr || !xhr.responseText) return 'The request failed (status ' + status + ').'
    var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html')
    var alert = doc.querySelector('[role="alert"]')
    if (alert) return alert.textContent.trim()
    var message = doc.querySelector('main h1 + p')
    var id = doc.getElementById('request-id')
    var text = message ? message.textContent.trim() : 'The request failed (status ' + status + ').'
    return id ? text + ' Request id: ' + id.textContent.trim() + '.' : text
  }

  /** Shows `text` right after the form (or element) that made the request, replacing any older one. */
  function showInPlace(elt, text) {
    var host = (elt.closest && elt.closest('form')) || elt
    var slot = host.nextElementSibling
    if (!slot || !slot.hasAttribute('data-inline-error')) {
      slot = document.createElement('span')
      slot.setAttribute('data-inline-error', '')
      slot.className = 'ml-2 inline-block text-xs font-medium text-red-700'
      host.parentNode.insertBefore(slot, host.nextSibling)
    }
    slot.textContent = text
  }

  function clearInPlace(elt) {
    var host = (elt.closest && elt.closest('form')) || elt
    var slot = host && host.nextElementSibling
    if (slot && slot.hasAttribute('data-inline-error')) slot.remove()
  }

  // The htmx config swaps only 2xx and 422: a refused action (403, 404, 409…) or a failure
  // would otherwise change nothing on screen and say nothing.
  document.addEventListener('htmx:responseError', function (event) {
    var text = errorText(event.detail.xhr)
    showInPlace(event.detail.elt, text)
    announce(text)
  })

  document.addEventListener('htmx:sendError', function (event) {
    var text = 'Fleetdeck could not be reached; nothing was changed. Try again.'
    showInPlace(event.detail.elt, text)
    announce(text)
  })

  var focusAfterSettle = null

  // A row action replaces the row and the button that had focus; focus moves to the new row
  // (it has tabindex=-1) so the keyboard stays where the operator was. The element that asks
  // is read before the request, while it is still in the page.
  document.addEventListener('htmx:beforeRequest', function (event) {
    var keep = event.detail.elt.closest && event.detail.elt.closest('[data-keep-focus]')
    focusAfterSettle = keep ? keep.getAttribute('data-keep-focus') : null
  })

  document.addEventListener('htmx:afterRequest', function (event) {
    var elt = event.detail.elt
    if (!event.detail.successful) {
      focusAfterSettle = null
      return
    }
    if (elt.isConnected) clearInPlace(elt)
  })

  document.addEventListener('htmx:afterSettle', function (event) {
    if (focusAfterSettle) {
      var again = document.querySelector(focusAfterSettle)
      focusAfterSettle = null
      if (again) {
        again.focus()
        again.scrollIntoView({ block: 'nearest' })
      }
    }
    var xhr = event.detail.xhr
    if (xhr && xhr.status === 422) focusFirstError(event.detail.target)
  })

  // ---------------------------------------------------------------- history

  // A filter form sends every field; empty ones would only clutter the address it pushes.
  document.addEventListener('htmx:configRequest', function (event) {
    if (event.detail.verb !== 'get') return
    var parameters = event.detail.parameters
    Object.keys(parameters).forEach(function (name) {
      if (parameters[name] === '') delete parameters[name]
    })
  })

  // Typing in a search sends a request per pause; each would push a history entry, and Back
  // would walk through every prefix typed. The first request of a search pushes; later ones
  // replace that entry, until the search settles (the field changes, the form is submitted, or
  // another filter is used). An address equal to the current one is never pushed twice.
  var searchEntryPushed = false

  document.addEventListener('change', function (event) {
    if (event.target instanceof Element && event.target.matches('[data-search]'))
      searchEntryPushed = false
  })
  window.addEventListener('popstate', function () {
    searchEntryPushed = false
  })

  document.addEventListener('htmx:beforeHistoryUpdate', function (event) {
    var history = event.detail.history
    var config = event.detail.requestConfig
    var trigger = config && config.triggeringEvent
    var typed =
      trigger &&
      trigger.type === 'input' &&
      trigger.target instanceof Element &&
      trigger.target.matches('[data-search]')
    var url = new URL(history.path, window.location.href)
    var same = url.pathname + url.search === window.location.pathname + window.location.search
    if (history.type === 'push' && (same || (typed && searchEntryPushed))) history.type = 'replace'
    searchEntryPushed = Boolean(typed)
  })

  // ---------------------------------------------------------------- customer picker

  // The top bar's picker link opens the picker in place (`#scope-picker`, htmx); without this
  // script it is a link to the picker page. Close, or Escape in the picker or on its link, empties
  // it and gives focus back to the link.
  function pickerLink() {
    return document.getElementById('scope-picker-toggle')
  }

  function closePicker() {
    var slot = document.getElementById('scope-picker')
    if (!slot || !slot.firstElementChild) return false
    slot.replaceChildren()
    var link = pickerLink()
    if (link) {
      link.setAttribute('aria-expanded', 'false')
      link.focus()
    }
    return true
  }

  document.addEventListener('click', function (event) {
    if (event.target instanceof Element && event.target.closest('[data-scope-picker-close]'))
      closePicker()
  })

  // Escape closes it from inside, and from its link too: focus reaches the search field only
  // after htmx settles the swap, and a key pressed before then must not be lost.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' || !(event.target instanceof Element)) return
    var fromPicker = event.target.closest('#scope-picker') || event.target === pickerLink()
    if (fromPicker && closePicker()) event.preventDefault()
  })

  document.addEventListener('htmx:afterSwap', function (event) {
    var link = pickerLink()
    if (link && event.detail.target && event.detail.target.id === 'scope-picker')
      link.setAttribute('aria-expanded', 'true')
  })

  // ---------------------------------------------------------------- forms

  /** Focuses the error summary, or else the first invalid field, inside `root`. */
  function focusFirstError(root) {
    var scope = root && root.isConnected ? root : document
    var target =
      scope.querySelector('[data-error-summary]') ||
      scope.querySelector('[aria-invalid="true"]') ||
      document.querySelector('[data-error-summary]') ||
      document.querySelector('[aria-invalid="true"]')
    if (!target) return
    target.focus()
    target.scrollIntoView({ block: 'center' })
  }

  /** The verb a form really sends: its `_method` override, or its method attribute. */
  function formVerb(form) {
    var override = form.querySelector('input[type="hidden"][name="_method"]')
    return (override ? override.value : form.getAttribute('method') || 'GET').toUpperCase()
  }

  function formAction(form) {
    return new URL(form.getAttribute('action') || '', window.location.href).pathname
  }

  /** Fills the form step-up interrupted (`#resume-form` from the layout) and brings it into view. */
  function resumeForm() {
    var data = document.getElementById('resume-form')
    if (!data) return false
    var action = data.getAttribute('data-action')
    var verb = (data.getAttribute('data-method') || '').toUpperCase()
    var fields
    try {
      fields = JSON.parse(data.getAttribute('data-fields') || '{}')
    } catch (error) {
      return false
    }
    var form = Array.prototype.slice.call(document.forms).find(function (candidate) {
      return formAction(candidate) === action && formVerb(candidate) === verb
    })
    if (!form) return false
    var first = null
    Object.keys(fields).forEach(function (name) {
      var control = form.elements.namedItem(name)
      if (!control) return
      var list = control instanceof RadioNodeList ? Array.prototype.slice.call(control) : [control]
      list.forEach(function (el) {
        if (el.type === 'hidden' || el.type === 'password' || el.type === 'file') return
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = el.value === fields[name]
        else el.value = fields[name]
        first = first || el
      })
    })
    if (!first) return false
    first.focus()
    first.scrollIntoView({ block: 'center' })
    announce('What you entered is back in the form. Submit it again to finish.')
    return true
  }

  function onLoad() {
    // Copy buttons wait hidden for this script: without it they could do nothing.
    document.querySelectorAll('button[data-copy][hidden]').forEach(function (button) {
      button.hidden = false
    })
    // With this script the picker link discloses the picker in place instead of leaving the page.
    var link = pickerLink()
    if (link) {
      link.setAttribute('aria-expanded', 'false')
      link.setAttribute('aria-controls', 'scope-picker')
    }
    if (!resumeForm()) focusFirstError(document)
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', onLoad)
  else onLoad()
})()
