// Brushing on the parallel coordinates: after every restyle (a brush drawn, moved or cleared) the page gets each
// axis's constraint range from the chart's own state, which is simpler and sturdier than parsing the event's changes.
export function watchBrushes(id, page) {
    const attach = () => {
        const plot = document.getElementById(id);
        if (!plot) return; // the page left
        if (typeof plot.on !== 'function' || !plot.data) { setTimeout(attach, 200); return; } // plotly.js not drawn yet
        if (plot.dataset.brushWatched) return;
        plot.dataset.brushWatched = 'true';
        plot.on('plotly_restyle', () => {
            const ranges = (plot.data[0]?.dimensions ?? []).map(d => d.constraintrange ?? null);
            page.invokeMethodAsync('OnBrushed', ranges);
        });
    };
    attach();
}
