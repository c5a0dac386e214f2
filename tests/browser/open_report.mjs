// Opens a report page in Debian's chromium, as an officer's browser would, and fails unless it shows what it should
// from the file alone.
//
//   node tests/browser/open_report.mjs FILE.html SCREENSHOT.png
//
// Exit 0 with one JSON line of what was found; otherwise exit 1 with one message per problem on stderr. Fails when
// the page logs a console error or throws, asks for any URL other than its own file, contains a script, opens a
// dialog, is not lang="zh-CN" with a title starting 对账报告, or when either chart is missing or draws a shape with no
// size. Saves a full-page screenshot either way, when the page opened.
// CHROMIUM overrides the browser (default /usr/bin/chromium).

import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, screenshot] = process.argv.slice(2);
if (!file || !screenshot) {
    console.error('usage: node open_report.mjs FILE.html SCREENSHOT.png');
    process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(file)) {
    console.error(`open_report: no such file: ${file}`);
    process.exit(2);
}
if (!existsSync(executablePath)) {
    console.error(`open_report: no browser at ${executablePath} (ops/setup.sh installs Debian's chromium)`);
    process.exit(2);
}

const pageUrl = pathToFileURL(resolve(file)).href;
const problems = [];
const args = ['--disable-dev-shm-usage'];
// Chromium's sandbox refuses to start as root, which is how CI runs.
if (process.getuid && process.getuid() === 0) {
    args.push('--no-sandbox');
}

const browser = await chromium.launch({ executablePath, headless: true, args, timeout: 60000 });
try {
    // Offline, so that a page that did ask for something would fail to get it here as it would at a county office.
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.on('console', (message) => {
        if (message.type() === 'error') {
            problems.push(`console error: ${message.text()}`);
        }
    });
    page.on('pageerror', (error) => problems.push(`uncaught exception: ${error.message}`));
    page.on('dialog', async (dialog) => {
        problems.push(`dialog opened: ${dialog.type()} "${dialog.message()}"`);
        await dialog.dismiss();
    });
    page.on('request', (request) => {
        if (request.url() !== pageUrl) {
            problems.push(`requested ${request.url()}`);
        }
    });
    page.on('websocket', (socket) => problems.push(`opened a websocket to ${socket.url()}`));

    const response = await page.goto(pageUrl, { waitUntil: 'load' });
    if (response && !response.ok()) {
        problems.push(`loading ${pageUrl} gave status ${response.status()}`);
    }

    const found = await page.evaluate(() => {
        const sized = (element) => {
            const box = element.getBBox();
            return box.width > 0 && box.height > 0;
        };
        const chart = (id, shapes) => {
            const svg = document.getElementById(id);
            if (!svg) {
                return { present: false };
            }
            const box = svg.getBoundingClientRect();
            const drawn = [...svg.querySelectorAll(shapes)];
            return {
                present: svg instanceof SVGSVGElement,
                width: box.width,
                height: box.height,
                shapes: drawn.length,
                unsized: drawn.filter((shape) => !sized(shape)).length,
            };
        };
        const line = document.querySelector('#trend-chart path.line');
        return {
            lang: document.documentElement.lang,
            title: document.title,
            charset: document.characterSet,
            scripts: document.scripts.length,
            bars: chart('findings-chart', 'rect.seg'),
            trend: chart('trend-chart', 'circle.point'),
            // A flat line has no height, so only its length counts.
            lineWidth: line ? line.getBBox().width : 0,
        };
    });

    if (found.lang !== 'zh-CN') {
        problems.push(`document language is "${found.lang}", not "zh-CN"`);
    }
    if (!found.title.startsWith('对账报告')) {
        problems.push(`title "${found.title}" does not start with 对账报告`);
    }
    if (found.charset !== 'UTF-8') {
        problems.push(`read as ${found.charset}, not UTF-8`);
    }
    if (found.scripts !== 0) {
        problems.push(`the page holds ${found.scripts} script element(s)`);
    }
    for (const [name, chart] of [['bar chart #findings-chart', found.bars], ['line chart #trend-chart', found.trend]]) {
        if (!chart.present) {
            problems.push(`${name} is missing`);
        } else if (!(chart.width > 0 && chart.height > 0)) {
            problems.push(`${name} takes no room on the page (${chart.width}×${chart.height})`);
        } else if (chart.shapes === 0) {
            problems.push(`${name} draws nothing`);
        } else if (chart.unsized > 0) {
            problems.push(`${name}: ${chart.unsized} of ${chart.shapes} shapes have no size`);
        }
    }
    if (found.trend.shapes > 1 && !(found.lineWidth > 0)) {
        problems.push('line chart #trend-chart: the line joining the runs has no length');
    }

    await page.screenshot({ path: screenshot, fullPage: true });
    await context.close();
    if (problems.length === 0) {
        console.log(JSON.stringify({ title: found.title, segments: found.bars.shapes, points: found.trend.shapes, screenshot }));
    }
} finally {
    await browser.close();
}

for (const problem of problems) {
    console.error(`open_report: ${problem}`);
}
process.exit(problems.length === 0 ? 0 : 1);
