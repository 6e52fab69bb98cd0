import presetWind3 from '@unocss/preset-wind3'

export default {
  presets: [presetWind3()],
  content: { filesystem: ['src/views/**/*.tsx', 'public/app.js'] },
}
