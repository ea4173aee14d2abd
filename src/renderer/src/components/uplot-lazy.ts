/** uPlot with its stylesheet: imported only by `loadUPlot` (UPlotChart.tsx), as a lazy chunk. */
import 'uplot/dist/uPlot.min.css';

export { default } from 'uplot';
