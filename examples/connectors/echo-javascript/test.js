// Returns true when the token is accepted.
module.exports = async function ({ externalApiClient }) {
  const me = await externalApiClient.get('/me')
  return Boolean(me && me.id)
}
