/** The run report's file name, apart so the Markdown summary can link it without loading the renderer. */
export const HTML_FILE = 'report.html';
