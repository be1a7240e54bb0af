module.exports = async function ({ input, externalApiClient }) {
  return await externalApiClient.post('/echo', input)
}
