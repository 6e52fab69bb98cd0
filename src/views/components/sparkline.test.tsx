import { describe, expect, it } from 'vitest'
import { Sparkline, sparklinePaths } from './sparkline.js'

describe('sparklinePaths', () => {
  it('puts the maximum at the top and the minimum at the bottom', () => {
    expect(sparklinePaths([0, 10], 100, 20, 0)).toEqual(['0.0,20.0 100.0,0.0'])
  })

  it('draws a flat series through the middle', () => {
    expect(sparklinePaths([5, 5, 5], 100, 20, 0)).toEqual(['0.0,10.0 50.0,10.0 100.0,10.0'])
  })

  it('breaks the line where a value is missing instead of drawing it as zero', () => {
    expect(sparklinePaths([1, null, 3, 5], 30, 20, 0)).toEqual(['0.0,20.0', '20.0,10.0 30.0,0.0'])
  })

  it('draws nothing when nothing was measured', () => {
    expect(sparklinePaths([null, null], 30, 20)).toEqual([])
  })
})

describe('Sparkline', () => {
  it('hides the picture from screen readers and gives them the numbers', () => {
    const html = String(
      <Sparkline
        label="Active tenants, last 3 days"
        points={[
          { label: '2026-11-29', value: 3 },
          { label: '2026-11-30', value: null },
          { label: '2026-12-01', value: 4 },
        ]}
      />,
    )
    expect(html).toContain('aria-hidden="true"')
    expect(html).toContain(
      'Active tenants, last 3 days: 2026-11-29 3, 2026-11-30 not measured, 2026-12-01 4',
    )
  })

  it('says what will appear when there is nothing yet, and draws no empty chart', () => {
    const html = String(
      <Sparkline label="Storage" points={[]} empty="the first snapshot is taken at midnight UTC" />,
    )
    expect(html).not.toContain('<svg')
    expect(html).toContain('Storage: the first snapshot is taken at midnight UTC')
  })
})
