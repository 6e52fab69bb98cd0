// Fleetdeck's only hand-written script: keyboard navigation for tables. No eval, no inline code.
// `/` focuses search; `j`/`k` move the row focus; Enter opens the focused row.
;(function () {
  'use strict'

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    )
  }

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
})()
